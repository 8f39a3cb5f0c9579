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

/**
 * How much of the end of the file is read: the newest lines, however long
 * the file has grown, at a bounded cost at start.
 */
export const HISTORY_TAIL_BYTES = 1024 * 1024;

const LF = 0x0a;
const decoder = new TextDecoder();

/**
 * The lines of the last {@linkcode HISTORY_TAIL_BYTES} of the file at
 * `path`, as bytes (none when there is no file yet), and whether that is
 * all of it.
 *
 * @throws {Error} saying why it will not be read: a link, or no file.
 */
function readTail(path: string): { lines: Uint8Array[]; whole: boolean } {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { lines: [], whole: true };
    }
    throw error;
  }
  // A link could lead the client to read, append to and cut a file that
  // is not its history.
  if (info.isSymlink) throw new Error("it is a link");
  if (!info.isFile) throw new Error("it is not a file");
  using file = Deno.openSync(path, { read: true });
  const start = Math.max(0, info.size - HISTORY_TAIL_BYTES);
  file.seekSync(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(info.size - start);
  for (let at = 0; at < bytes.length;) {
    const n = file.readSync(bytes.subarray(at));
    if (n === null) break;
    at += n;
  }
  const lines: Uint8Array[] = [];
  let from = 0;
  if (start > 0) {
    // Past a cut, the first line may be the end of a longer one: dropped.
    from = bytes.indexOf(LF) + 1;
    if (from === 0) return { lines, whole: false };
  }
  while (from < bytes.length) {
    let end = bytes.indexOf(LF, from);
    if (end < 0) end = bytes.length;
    if (end > from) lines.push(bytes.subarray(from, end));
    from = end + 1;
  }
  return { lines, whole: start === 0 };
}

/** The history of earlier runs, and where each new line is added. */
export class HistoryFile {
  /** The file. */
  readonly path: string;
  /** Earlier lines, newest first (as `node:readline` takes them). */
  readonly lines: string[];
  // The bytes of each of `lines`, as the file holds them.
  readonly #stored: Uint8Array[];
  #last: string | undefined;
  #broken = false;

  private constructor(path: string, lines: string[], stored: Uint8Array[]) {
    this.path = path;
    this.lines = lines;
    this.#stored = stored;
    this.#last = lines[0];
  }

  /**
   * Reads the end of the history at `path` (none yet is fine) and keeps
   * its last {@linkcode HISTORY_LINES} distinct lines; a file grown past
   * twice that, or past what is read of it, is rewritten to them, their
   * bytes as they were. A link or anything but a file is not used.
   *
   * @param allowing the command that may use `path`, for the notice.
   * @returns the history, or why it cannot be kept (no permission asked:
   * a prompt for it would come before the user sees anything).
   */
  static open(path: string, allowing: string): HistoryFile | string {
    const shown = escapeControl(path);
    if (!granted(path)) {
      return `History is not kept: no permission to use ${shown} (run: ${allowing}, or use --no-history)`;
    }
    let tail: { lines: Uint8Array[]; whole: boolean };
    try {
      tail = readTail(path);
    } catch (error) {
      return `History is not kept: cannot use ${shown}: ${
        error instanceof Error ? error.message : String(error)
      } (give another with --history, or use --no-history)`;
    }
    const newestFirst: string[] = [];
    const bytes: Uint8Array[] = [];
    const seen = new Set<string>();
    for (let i = tail.lines.length - 1; i >= 0; i--) {
      if (newestFirst.length === HISTORY_LINES) break;
      const line = decoder.decode(tail.lines[i]);
      if (seen.has(line)) continue;
      seen.add(line);
      newestFirst.push(line);
      bytes.push(tail.lines[i]);
    }
    const history = new HistoryFile(path, newestFirst, bytes);
    if (!tail.whole || tail.lines.length > 2 * HISTORY_LINES) {
      history.#rewrite();
    }
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
   * Replaces the file's content with the kept lines in one write, each as
   * the bytes it was. In place: the program may write this one file only,
   * not a temporary beside it.
   */
  #rewrite(): void {
    const lines = this.#stored.toReversed();
    const out = new Uint8Array(
      lines.reduce((sum, line) => sum + line.length + 1, 0),
    );
    let at = 0;
    for (const line of lines) {
      out.set(line, at);
      out[at + line.length] = LF;
      at += line.length + 1;
    }
    try {
      Deno.writeFileSync(this.path, out, { mode: 0o600 });
    } catch {
      this.#broken = true;
    }
  }
}
