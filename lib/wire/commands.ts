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

import {
  type ArgumentSyntax,
  INTRODUCTION,
  NO_ARGUMENTS,
  REST_OF_LINE,
  RESUME,
} from "./arguments.ts";
import { Code } from "./codes.ts";

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
  resume: {
    args: RESUME,
    code: Code.FileHeader,
    usage: "resume <offset> <version> <name>",
    help: null,
    beforeToken: false,
    fileName: false,
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
