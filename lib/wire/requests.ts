/**
 * Requests: the words the server understands and how their arguments
 * parse. Any other line is a message to echo. Both sides read requests
 * with this one parser: the server to dispatch them, the client to know
 * which of its lines start a download.
 *
 * @module
 */

/**
 * Reads what follows a request word in `line[start, end)`: its arguments,
 * or `undefined` when the line is not this request after all (`status now`
 * is a message to echo, not `status`).
 */
export type ArgumentParser<A> = (
  line: Uint8Array,
  start: number,
  end: number,
) => A | undefined;

const SPACE = 0x20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** The word alone on its line: `status`. Its arguments are `null`. */
export function noArguments(
  _line: Uint8Array,
  start: number,
  end: number,
): null | undefined {
  return start === end ? null : undefined;
}

/**
 * The word alone, or followed by a space and the rest of the line, which is
 * the argument with surrounding white space removed: `get my file.txt`.
 * The word alone gives `""`, so the handler can say how to use it.
 */
export function restOfLine(
  line: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  if (start === end) return "";
  if (line[start] !== SPACE) return undefined;
  return decoder.decode(line.subarray(start + 1, end)).trim();
}

// `hello Client01 ackline-client/1.0.0 [token]`: strict, so that "hello
// world", the course's first message, stays a message to echo.
const INTRODUCTION = /^Client\d+ [\x21-\x7e]+\/[\x21-\x7e]+(?: [\x21-\x7e]+)?$/;

/**
 * The arguments of `hello`, only in their exact form: a client name, a
 * `program/version`, maybe a token; anything else is a message.
 */
export function introductionArguments(
  line: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  const rest = restOfLine(line, start, end);
  return rest !== undefined && INTRODUCTION.test(rest) ? rest : undefined;
}

/**
 * Every request: its word and how its arguments parse. The server's
 * command table must have a handler for each (its type says so).
 */
export const REQUESTS = {
  status: noArguments,
  exit: noArguments,
  list: noArguments,
  get: restOfLine,
  time: noArguments,
  noop: noArguments,
  hello: introductionArguments,
} as const;

/** The words of the requests. */
export type RequestName = keyof typeof REQUESTS;

/** The parsed arguments of each request. */
export type RequestArguments = {
  [K in RequestName]: Exclude<ReturnType<typeof REQUESTS[K]>, undefined>;
};

/** A parsed request; `Request<"get">` for one kind. */
export type Request<K extends RequestName = RequestName> = {
  [P in K]: { name: P; args: RequestArguments[P] };
}[K];

const PARSERS: { [K in RequestName]: ArgumentParser<RequestArguments[K]> } =
  REQUESTS;

interface Word {
  name: RequestName;
  bytes: Uint8Array;
}

// Request words by their first byte: most echoed lines are ruled out by
// one lookup.
const BY_FIRST_BYTE: (Word[] | undefined)[] = [];
for (const name of Object.keys(REQUESTS) as RequestName[]) {
  const bytes = encoder.encode(name);
  (BY_FIRST_BYTE[bytes[0]] ??= []).push({ name, bytes });
}

function startsWith(
  line: Uint8Array,
  start: number,
  end: number,
  word: Uint8Array,
): boolean {
  if (end - start < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (line[start + i] !== word[i]) return false;
  }
  return true;
}

function parseAs<K extends RequestName>(
  name: K,
  line: Uint8Array,
  start: number,
  end: number,
): Request<K> | null {
  const args = PARSERS[name](line, start, end);
  return args === undefined ? null : { name, args };
}

/**
 * Reads the request in `line[start, end)`, which must be valid UTF-8
 * (see {@linkcode isUtf8}). Words are exact and lower case.
 *
 * @returns the request, or `null` for a message to echo.
 *
 * @example Usage
 * ```ts
 * import { parseRequest } from "./requests.ts";
 *
 * const line = new TextEncoder().encode("get photo.png");
 * parseRequest(line, 0, line.length); // { name: "get", args: "photo.png" }
 * ```
 */
export function parseRequest(
  line: Uint8Array,
  start: number,
  end: number,
): Request | null {
  const words = BY_FIRST_BYTE[line[start]];
  if (words === undefined) return null;
  for (const word of words) {
    if (!startsWith(line, start, end, word.bytes)) continue;
    const request = parseAs(word.name, line, start + word.bytes.length, end);
    if (request !== null) return request;
  }
  return null;
}

/** Reads a request typed as text (see {@linkcode parseRequest}). */
export function parseRequestText(text: string): Request | null {
  const line = encoder.encode(text);
  return parseRequest(line, 0, line.length);
}

/** Formats a request line, without its line end: `get photo.png`. */
export function formatRequest(name: RequestName, argument?: string): string {
  return argument === undefined ? name : `${name} ${argument}`;
}

/** Tells whether `bytes[start, end)` is valid UTF-8, cheaply for ASCII. */
export function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      try {
        strictDecoder.decode(bytes.subarray(i, end));
        return true;
      } catch {
        return false;
      }
    }
  }
  return true;
}
