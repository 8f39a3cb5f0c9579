/**
 * The prompt's history file: the lines typed at the prompt, kept across
 * runs, one a line, newest last.
 *
 * @module
 */

import { allowedEnv, escapeControl } from "../common/mod.ts";

/** Most lines kept. */
export const HISTORY_LINES = 1000;

/** The file name in the home folder. */
export const HISTORY_FILE_NAME = ".ackline_history";

/**
 * The default history file, `~/.ackline_history`, or `null` when the home
 * folder is not known (or the program may not read where it is).
 */
export function defaultHistoryPath(): string | null {
  const home = allowedEnv(
    Deno.build.os === "windows" ? "USERPROFILE" : "HOME",
  );
  if (!home) return null;
  const separator = Deno.build.os === "windows" ? "\\" : "/";
  return home.replace(/[\\/]+$/, "") + separator + HISTORY_FILE_NAME;
}

function granted(path: string): boolean {
  return Deno.permissions.querySync({ name: "read", path }).state ===
      "granted" &&
    Deno.permissions.querySync({ name: "write", path }).state === "granted";
}

/** The history of earlier runs, and where each new line is added. */
export class HistoryFile {
  /** The file. */
  readonly path: string;
  /** Earlier lines, newest first (as `node:readline` takes them). */
  readonly lines: string[];
  #last: string | undefined;
  #broken = false;

  private constructor(path: string, lines: string[]) {
    this.path = path;
    this.lines = lines;
    this.#last = lines[0];
  }

  /**
   * Reads the history at `path` (none yet is fine) and keeps the last
   * {@linkcode HISTORY_LINES} distinct lines; a file grown past twice that
   * is rewritten to them.
   *
   * @returns the history, or why it cannot be kept (no permission asked:
   * a prompt for it would come before the user sees anything).
   */
  static open(path: string): HistoryFile | string {
    const shown = escapeControl(path);
    if (!granted(path)) {
      return `History is not kept: no permission to use ${shown} (add --allow-read=${shown} --allow-write=${shown}, or use --no-history)`;
    }
    let stored: string[];
    try {
      stored = Deno.readTextFileSync(path).split("\n").filter((line) =>
        line !== ""
      );
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        return `History is not kept: cannot read ${shown}: ${
          error instanceof Error ? error.message : String(error)
        }`;
      }
      stored = [];
    }
    const newestFirst: string[] = [];
    const seen = new Set<string>();
    for (let i = stored.length - 1; i >= 0; i--) {
      if (newestFirst.length === HISTORY_LINES) break;
      if (seen.has(stored[i])) continue;
      seen.add(stored[i]);
      newestFirst.push(stored[i]);
    }
    const history = new HistoryFile(path, newestFirst);
    if (stored.length > 2 * HISTORY_LINES) history.#rewrite();
    return history;
  }

  /**
   * Adds a line typed at the prompt: not an empty one, not the same as the
   * one before, and not one that starts with a space (as shells do, a way
   * to keep a line out of the file).
   *
   * @returns `false` once the file cannot be written (the history stays
   * in memory for this run).
   */
  add(line: string): boolean {
    if (this.#broken) return false;
    if (line.trim() === "" || line.startsWith(" ") || line === this.#last) {
      return true;
    }
    this.#last = line;
    try {
      Deno.writeTextFileSync(this.path, line + "\n", {
        append: true,
        mode: 0o600,
      });
      return true;
    } catch {
      this.#broken = true;
      return false;
    }
  }

  /**
   * Replaces the file's text with the kept lines in one write. In place:
   * the program may write this one file only, not a temporary beside it.
   */
  #rewrite(): void {
    const text = this.lines.toReversed().map((line) => line + "\n").join("");
    try {
      Deno.writeTextFileSync(this.path, text, { mode: 0o600 });
    } catch {
      this.#broken = true;
    }
  }
}
