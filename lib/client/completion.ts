/**
 * What Tab completes at the prompt: the commands, and after a command that
 * takes a file name (`get `) the names of the last `list`, asked of the
 * server at the first such Tab when no `list` has run.
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import { COMMANDS, parseFileRow } from "../wire/mod.ts";
import { CONTINUE_FLAG, TYPED_COMMANDS, typedName } from "./commands.ts";
import type { Session } from "./session.ts";

/**
 * The words Tab completes at the start of a line; one that takes an
 * argument ends with a space (`get `), ready for it.
 */
export const COMMAND_WORDS: readonly string[] = TYPED_COMMANDS.map((name) =>
  COMMANDS[name].args.form === "rest" ? `${name} ` : name
);

// `get ` and the like: what Tab completes after them is a listed name.
const FILE_COMMAND = new RegExp(
  `^(?:${
    TYPED_COMMANDS.filter((name) => COMMANDS[name].fileName).join("|")
  }) +(?:${CONTINUE_FLAG} +)?`,
);
const decoder = new TextDecoder();

/**
 * Completes `line` (the text left of the cursor), as `node:readline`'s
 * completer: the candidates, and the part of the line they replace.
 */
export function completeLine(
  line: string,
  listedNames: readonly string[],
): [string[], string] {
  const command = FILE_COMMAND.exec(line);
  if (command !== null) {
    const typed = line.slice(command[0].length);
    // A name that would read as `-c NAME` goes in with its dash escaped.
    return [
      listedNames.filter((name) => name.startsWith(typed)).map(typedName),
      typed,
    ];
  }
  return [COMMAND_WORDS.filter((word) => word.startsWith(line)), line];
}

/** Whether Tab at the end of `line` completes a file name, not a command. */
export function completesName(line: string): boolean {
  return FILE_COMMAND.test(line);
}

/** The most names Tab offers: past this many, typing beats choosing. */
export const MAX_COMPLETION_NAMES = 10_000;

/**
 * The longest name Tab offers, in characters: a file name is at most 255
 * bytes, and even escaped whole it is shorter than this.
 */
export const MAX_COMPLETION_NAME_LENGTH = 4096;

/** Collects the names of a `list` reply as its lines arrive. */
export class ListedNames {
  /**
   * The names so far, as the screen showed them (escaped, so a server's
   * control characters never reach the terminal, the history or the
   * wire raw), and as `get` takes them from an ackline server; at most
   * {@linkcode MAX_COMPLETION_NAMES}.
   */
  readonly names: string[] = [];

  /** Takes one line of a reply; only file rows of a list count. */
  add(text: string | Uint8Array, code: number): void {
    if (
      code !== COMMANDS.list.code ||
      this.names.length === MAX_COMPLETION_NAMES ||
      text.length > 4 * MAX_COMPLETION_NAME_LENGTH
    ) {
      return;
    }
    const row = typeof text === "string" ? text : decoder.decode(text);
    const name = parseFileRow(row);
    if (name === null) return;
    const shown = escapeControl(name);
    if (shown.length <= MAX_COMPLETION_NAME_LENGTH) this.names.push(shown);
  }
}

/**
 * Asks `session` for the names it lists, without showing them: for Tab
 * before any `list`. A refused `list` gives none.
 */
export async function fetchNames(session: Session): Promise<string[]> {
  const names = new ListedNames();
  const reply = await session.request(
    "list",
    (text, code) => names.add(text, code),
  );
  return reply.code === COMMANDS.list.code ? names.names : [];
}
