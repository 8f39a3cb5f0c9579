/**
 * Reading requests: a line's request by the command table (`commands.ts`),
 * or `null` for a message to echo. Both sides read requests with this one
 * parser: the server to dispatch them, the client to know what a typed
 * line asks for.
 *
 * @module
 */

import type { ArgumentSyntax } from "./arguments.ts";
import {
  COMMANDS,
  type Request,
  REQUEST_NAMES,
  type RequestArguments,
  type RequestName,
} from "./commands.ts";

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

const REQUEST_SYNTAX: {
  readonly [K in RequestName]: {
    readonly args: ArgumentSyntax<RequestArguments[K]>;
  };
} = COMMANDS;

interface Word {
  name: RequestName;
  bytes: Uint8Array;
}

// Request words by their first byte: most echoed lines are ruled out by
// one lookup.
const BY_FIRST_BYTE: (Word[] | undefined)[] = [];
for (const name of REQUEST_NAMES) {
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
  const args = REQUEST_SYNTAX[name].args.parse(line, start, end);
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
 * import { parseRequest } from "./commands.ts";
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

/** What of a request's arguments a log may show: never a token. */
export function showArguments<K extends RequestName>(
  request: Request<K>,
): string {
  return REQUEST_SYNTAX[request.name].args.show(request.args);
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
