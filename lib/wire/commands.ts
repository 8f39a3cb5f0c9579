/**
 * The command table: every command, the one source of what the server
 * understands and what the client offers. A row says how the command's
 * arguments parse, the code of its reply, how it is used, its line in
 * `help`, whether it may come before the token, and whether it takes a
 * file name. The server's parser and handler table, the client's Tab
 * completion, `help` and hint, and the requests allowed before the token
 * all derive from it. Any line that is no command is a message to echo.
 *
 * Adding a command: a row here, its handler in `server/commands.ts` (its
 * type makes `deno check` fail until there is one), its section in
 * PROTOCOL.md, and its tests.
 *
 * @module
 */

import { Code } from "./codes.ts";
import {
  type Introduction,
  INTRODUCTION_PATTERN,
  parseIntroduction,
} from "./hello.ts";

/**
 * How the words after a command parse: nothing (`status`), or the rest of
 * the line (`get my file.txt`), which may have to match a pattern
 * (`hello`). A line that does not parse is a message to echo.
 */
export interface ArgumentSyntax<A> {
  /** What may follow the word: nothing, or a space and the rest of the line. */
  readonly form: "none" | "rest";
  /** For `rest`: what the rest, trimmed, must match; `null` for anything. */
  readonly pattern: RegExp | null;
  /**
   * Reads what follows the word in `line[start, end)`: its arguments, or
   * `undefined` when the line is not this command after all (`status now`
   * is a message, not `status`).
   */
  parse(line: Uint8Array, start: number, end: number): A | undefined;
  /** What of the arguments a log may show (never a token). */
  show(args: A): string;
}

const SPACE = 0x20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** The word alone on its line: `status`. Its arguments are `null`. */
const NO_ARGUMENTS: ArgumentSyntax<null> = {
  form: "none",
  pattern: null,
  parse: (_line, start, end) => start === end ? null : undefined,
  show: () => "",
};

function restOfLine(
  line: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  if (start === end) return "";
  if (line[start] !== SPACE) return undefined;
  return decoder.decode(line.subarray(start + 1, end)).trim();
}

/**
 * The word alone, or followed by a space and the rest of the line, which
 * is the argument with surrounding white space removed: `get my file.txt`.
 * The word alone gives `""`, so the handler can say how to use it.
 */
const REST_OF_LINE: ArgumentSyntax<string> = {
  form: "rest",
  pattern: null,
  parse: restOfLine,
  show: (args) => args,
};

/** The arguments of `hello`, only in their exact form (see `hello.ts`). */
const INTRODUCTION: ArgumentSyntax<Introduction> = {
  form: "rest",
  pattern: INTRODUCTION_PATTERN,
  parse(line, start, end) {
    const rest = restOfLine(line, start, end);
    if (rest === undefined) return undefined;
    return parseIntroduction(rest) ?? undefined;
  },
  // The name and program: never the token.
  show: ({ name, agent }) => `${name} ${agent}`,
};

/** One row of the command table. */
export interface CommandSpec<A> {
  /** How its arguments parse. */
  readonly args: ArgumentSyntax<A>;
  /** The code of its reply when it succeeds; `null` for the client's own. */
  readonly code: number | null;
  /** How it is typed: `get <name>`. */
  readonly usage: string;
  /** Its line in `help`; `null` for one that programs send, not people. */
  readonly help: string | null;
  /** Whether a server that wants a token answers it before the token. */
  readonly beforeToken: boolean;
  /** Whether its argument is a file name (Tab completes the last `list`). */
  readonly fileName: boolean;
  /** Whether the client answers it itself, never sending it. */
  readonly local: boolean;
}

/**
 * Every command, in the order `help` shows them. Exact and lower case, and
 * alone on their line unless their arguments say otherwise.
 */
export const COMMANDS = {
  status: {
    args: NO_ARGUMENTS,
    code: 211,
    usage: "status",
    help: "the server's clients: when each connected and left",
    beforeToken: false,
    fileName: false,
    local: false,
  },
  list: {
    args: NO_ARGUMENTS,
    code: 212,
    usage: "list",
    help: "the files the server offers",
    beforeToken: false,
    fileName: false,
    local: false,
  },
  get: {
    args: REST_OF_LINE,
    code: Code.FileHeader,
    usage: "get <name>",
    help: "download a file, its name as list shows it",
    beforeToken: false,
    fileName: true,
    local: false,
  },
  time: {
    args: NO_ARGUMENTS,
    code: 213,
    usage: "time",
    help: "the server's clock",
    beforeToken: false,
    fileName: false,
    local: false,
  },
  whoami: {
    args: NO_ARGUMENTS,
    code: 215,
    usage: "whoami",
    help: "the name the server gave this client",
    beforeToken: false,
    fileName: false,
    local: false,
  },
  help: {
    args: NO_ARGUMENTS,
    code: null,
    usage: "help",
    help: "this list",
    beforeToken: false,
    fileName: false,
    local: true,
  },
  exit: {
    args: NO_ARGUMENTS,
    code: 221,
    usage: "exit",
    help: "leave (so do Ctrl+D, and Ctrl+C on an empty line)",
    beforeToken: true,
    fileName: false,
    local: false,
  },
  noop: {
    args: NO_ARGUMENTS,
    code: 200,
    usage: "noop",
    help: null,
    beforeToken: true,
    fileName: false,
    local: false,
  },
  hello: {
    args: INTRODUCTION,
    code: 230,
    usage: "hello <name> <program>/<version> [<token>]",
    help: null,
    beforeToken: true,
    fileName: false,
    local: false,
  },
} as const satisfies Readonly<Record<string, CommandSpec<unknown>>>;

/** The words of the commands. */
export type CommandName = keyof typeof COMMANDS;

/** The words of the requests: the commands the client sends. */
export type RequestName = {
  [K in CommandName]: typeof COMMANDS[K]["local"] extends true ? never : K;
}[CommandName];

/** The parsed arguments of each request. */
export type RequestArguments = {
  [K in RequestName]: typeof COMMANDS[K]["args"] extends ArgumentSyntax<infer A>
    ? A
    : never;
};

/** A parsed request; `Request<"get">` for one kind. */
export type Request<K extends RequestName = RequestName> = {
  [P in K]: { name: P; args: RequestArguments[P] };
}[K];

// The rows of the requests, typed by their arguments.
const REQUEST_SYNTAX: {
  readonly [K in RequestName]: {
    readonly args: ArgumentSyntax<RequestArguments[K]>;
  };
} = COMMANDS;

/** Whether `name` is a command the client sends. */
export function isRequestName(name: CommandName): name is RequestName {
  return !COMMANDS[name].local;
}

/** Every command word, in the table's order. */
export const COMMAND_NAMES: readonly CommandName[] = Object.keys(COMMANDS)
  .filter((name): name is CommandName => name in COMMANDS);

/** The request words, in the table's order. */
export const REQUEST_NAMES: readonly RequestName[] = COMMAND_NAMES.filter(
  isRequestName,
);

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

/**
 * The request grammar as data, for a program that is not TypeScript (the
 * benchmark's Node reference): each word, what may follow it, and the
 * pattern the rest must match, if any.
 */
export function requestGrammar(): {
  word: RequestName;
  form: "none" | "rest";
  pattern: string | null;
}[] {
  return REQUEST_NAMES.map((word) => {
    const { form, pattern } = COMMANDS[word].args;
    return { word, form, pattern: pattern?.source ?? null };
  });
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
