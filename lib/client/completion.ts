/**
 * What Tab completes at the prompt: the commands, and after `get ` the
 * names of the last `list`.
 *
 * @module
 */

import { Code, parseFileRow, type Reply } from "../wire/mod.ts";

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

/**
 * The names a `list` reply offers, as `get` takes them.
 *
 * @returns `null` when `reply` is not a file list.
 */
export function listedNames(reply: Reply): string[] | null {
  if (reply.code !== Code.List) return null;
  const names: string[] = [];
  for (const row of reply.lines) {
    const name = parseFileRow(row);
    if (name !== null) names.push(name);
  }
  return names;
}
