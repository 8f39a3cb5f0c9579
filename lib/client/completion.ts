/**
 * What Tab completes at the prompt: the commands, and after a command that
 * takes a file name (`get `) the names of the last `list`.
 *
 * @module
 */

import { COMMANDS, parseFileRow } from "../wire/mod.ts";
import { TYPED_COMMANDS } from "./commands.ts";

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
  }) +`,
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
    return [listedNames.filter((name) => name.startsWith(typed)), typed];
  }
  return [COMMAND_WORDS.filter((word) => word.startsWith(line)), line];
}

/** The most names Tab offers: past this many, typing beats choosing. */
export const MAX_COMPLETION_NAMES = 10_000;

/** Collects the names of a `list` reply as its lines arrive. */
export class ListedNames {
  /** The names so far, as `get` takes them; at most {@linkcode MAX_COMPLETION_NAMES}. */
  readonly names: string[] = [];

  /** Takes one line of a reply; only file rows of a list count. */
  add(text: string | Uint8Array, code: number): void {
    if (
      code !== COMMANDS.list.code ||
      this.names.length === MAX_COMPLETION_NAMES
    ) {
      return;
    }
    const row = typeof text === "string" ? text : decoder.decode(text);
    const name = parseFileRow(row);
    if (name !== null) this.names.push(name);
  }
}
