/**
 * The Node.js references the benchmark holds ackline to, started the one
 * way the benchmark and its tests share: each is given the request words
 * of ackline's command table, and the rule of what may follow each, so it
 * does the same work per line as ackline does.
 *
 * @module
 */

import { requestGrammar } from "../lib/wire/mod.ts";

const HERE = new URL(".", import.meta.url).pathname;

/** The line a reference prints once it listens; its first group is the port. */
export const REFERENCE_LISTENING: RegExp = /Listening on port (\d+)/;

/**
 * The command that runs `script` (`reference_node.mjs`, or the naive one)
 * on a free port, serving `filesDir`.
 */
export function nodeReference(
  script: "reference_node.mjs" | "reference_node_naive.mjs",
  filesDir: string,
): Deno.Command {
  return new Deno.Command("node", {
    args: [
      `${HERE}${script}`,
      "0",
      filesDir,
      JSON.stringify(requestGrammar()),
    ],
    stdout: "piped",
    stderr: "piped",
  });
}
