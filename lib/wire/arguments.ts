/**
 * How the words after a command parse: the forms a row of the command
 * table (`commands.ts`) can give its arguments.
 *
 * @module
 */

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

/**
 * What a file's version looks like: 1 to 32 lowercase letters and digits,
 * so it is safe in a line and in a local file's name.
 */
export const VERSION_PATTERN = /^[0-9a-z]{1,32}$/;

/** Stands for "no version" in `resume`, where the client has nothing yet. */
export const NO_VERSION = "-";

const SPACE = 0x20;
const decoder = new TextDecoder();

/** The word alone on its line: `status`. Its arguments are `null`. */
export const NO_ARGUMENTS: ArgumentSyntax<null> = {
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
export const REST_OF_LINE: ArgumentSyntax<string> = {
  form: "rest",
  pattern: null,
  parse: restOfLine,
  show: (args) => args,
};

/** The arguments of `hello`, only in their exact form (see `hello.ts`). */
export const INTRODUCTION: ArgumentSyntax<Introduction> = {
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

/** The arguments of `resume`: continue `name` from `offset` of `version`. */
export interface ResumeArguments {
  /** How many bytes of the file the client has. */
  offset: number;
  /** The version those bytes are of; `null` when it has none (offset 0). */
  version: string | null;
  /** The name, as `list` shows it. */
  name: string;
}

const RESUME_FORM = /^(\d{1,16}) (\S+) (.+)$/s;

function parseResume(rest: string): ResumeArguments | null {
  const match = RESUME_FORM.exec(rest);
  if (!match) return null;
  const offset = Number(match[1]);
  const version = match[2] === NO_VERSION ? null : match[2];
  if (!Number.isSafeInteger(offset)) return null;
  if (version === null ? offset !== 0 : !VERSION_PATTERN.test(version)) {
    return null;
  }
  return { offset, version, name: match[3].trim() };
}

/**
 * The arguments of `resume`: `<offset> <version> <name>`, or `null` when
 * they are not in that form, so the handler can say how to use it.
 */
export const RESUME: ArgumentSyntax<ResumeArguments | null> = {
  form: "rest",
  pattern: null,
  parse(line, start, end) {
    const rest = restOfLine(line, start, end);
    return rest === undefined ? undefined : parseResume(rest);
  },
  show: (args) =>
    args === null
      ? ""
      : `${args.offset} ${args.version ?? NO_VERSION} ${args.name}`,
};
