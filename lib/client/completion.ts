/**
 * What Tab completes at the prompt: the commands, and after `get ` the
 * names of the last `list`.
 *
 * @module
 */

import { Code, parseFileRow } from "../wire/mod.ts";

/** The words Tab completes at the start of a line; `get ` waits for a name. */
export const COMMAND_WORDS: readonly string[] = [
  "status",
  "list",
  "get ",
  "time",
  "help",
  "exit",
];

const GET = /^get +/;
const decoder = new TextDecoder();

/**
 * Completes `line` (the text left of the cursor), as `node:readline`'s
 * completer: the candidates, and the part of the line they replace.
 */
export function completeLine(
  line: string,
  listedNames: readonly string[],
): [string[], string] {
  const get = GET.exec(line);
  if (get !== null) {
    const typed = line.slice(get[0].length);
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
    if (code !== Code.List || this.names.length === MAX_COMPLETION_NAMES) {
      return;
    }
    const row = typeof text === "string" ? text : decoder.decode(text);
    const name = parseFileRow(row);
    if (name !== null) this.names.push(name);
  }
}
