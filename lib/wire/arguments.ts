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
