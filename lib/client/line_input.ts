/**
 * Where the prompt's lines come from: a terminal, with line editing,
 * history and Tab completion (`node:readline`), or a pipe, line by line.
 *
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";
import { Writable } from "node:stream";
import { escapeControl, type Reader } from "../common/mod.ts";
import { LineBuffer, MAX_REQUEST_LINE_BYTES } from "../wire/mod.ts";
import { HISTORY_LINES, type HistoryFile } from "./history.ts";

/** Lines typed or piped to the client. */
export interface LineInput {
  /**
   * Shows `prompt` (where a person types) and waits for the next line.
   *
   * @returns the line, or `null` when the input ends: the pipe ends, or
   * Ctrl+D or Ctrl+C on an empty line.
   */
  next(prompt: string): Promise<string | null>;
  /**
   * Called on Ctrl+C while no line is awaited, that is while a command
   * runs; `null` when nothing can be cancelled.
   */
  onInterrupt: (() => void) | null;
  /** Stops reading and gives the terminal back as it was. */
  close(): void;
}

// Any line a server can be set to accept can be sent.
const LONGEST_INPUT_LINE = MAX_REQUEST_LINE_BYTES;

/**
 * Yields the UTF-8 lines of `reader` without their LF or CRLF, the last one
 * too when the input does not end with a line break.
 */
export async function* readLines(
  reader: Reader,
  maxLineBytes = LONGEST_INPUT_LINE,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const lines = new LineBuffer(maxLineBytes);
  for (;;) {
    const n = await reader.read(lines.space());
    if (n === null) break;
    lines.filled(n);
    while (lines.next()) yield decoder.decode(lines.line());
  }
  const rest = lines.take(lines.buffered);
  if (rest.length > 0) yield decoder.decode(rest);
}

/** Lines from a pipe or a file, or from a reader in tests. */
export class PipeInput implements LineInput {
  /** A pipe cannot be interrupted by a key: Ctrl+C is a signal there. */
  onInterrupt: (() => void) | null = null;
  readonly #lines: AsyncGenerator<string>;
  readonly #showPrompt: ((prompt: string) => void) | undefined;

  /**
   * Reads lines from `reader`; `showPrompt`, when given, shows each prompt
   * (a terminal without line editing, or a test's transcript).
   */
  constructor(reader: Reader, showPrompt?: (prompt: string) => void) {
    this.#lines = readLines(reader);
    this.#showPrompt = showPrompt;
  }

  /** Reads the next line; `null` at the end of the input. */
  async next(prompt: string): Promise<string | null> {
    this.#showPrompt?.(prompt);
    const next = await this.#lines.next();
    return next.done ? null : next.value;
  }

  /** Nothing to give back: the reader belongs to the caller. */
  close(): void {}
}

/** Options of {@linkcode TerminalInput}. */
export interface TerminalInputOptions {
  /** Lines of earlier runs, and where new ones are kept; `null` for none. */
  history: HistoryFile | null;
  /** What Tab offers for the text left of the cursor, and what it replaces. */
  complete(line: string): Promise<[string[], string]>;
  /** Where the prompt and the typed text are shown. */
  output: "stdout" | "stderr";
  /** Told once when the history file can no longer be written. */
  onHistoryLost?(path: string): void;
  /** Shows a notice (Ctrl+D while a command runs). */
  notice?(text: string): void;
}

/**
 * The line editor's output: the terminal, unless muted. While a command
 * runs, keys typed ahead are taken but not shown, so they do not land in
 * the middle of a progress bar or a reply; the next prompt shows them.
 * Writes go straight through, in order with everything else the program
 * writes to the terminal.
 */
class Echo extends Writable {
  muted = false;
  readonly #target: typeof process.stdout | typeof process.stderr;

  constructor(target: typeof process.stdout | typeof process.stderr) {
    super();
    this.#target = target;
    target.on("resize", () => this.emit("resize"));
  }

  get columns(): number {
    return this.#target.columns;
  }

  get rows(): number {
    return this.#target.rows;
  }

  get isTTY(): boolean {
    return true;
  }

  override write(chunk: string | Uint8Array): boolean {
    return this.muted || this.#target.write(chunk);
  }
}

/**
 * Lines typed at a terminal, with line editing (arrows, Home, End, Ctrl+A,
 * Ctrl+E, Ctrl+U, Ctrl+W), history on ↑ and ↓, and Tab completion.
 * Keys are read as they are typed, so nothing typed is left for the shell
 * when the client ends. Ctrl+C clears a half-typed line; on an empty line
 * it ends the input, as Ctrl+D does; while a command runs it calls
 * {@linkcode onInterrupt}.
 */
export class TerminalInput implements LineInput {
  /** What Ctrl+C does while a command runs. */
  onInterrupt: (() => void) | null = null;
  readonly #rl: readline.Interface;
  readonly #echo: Echo;
  readonly #typedAhead: string[] = [];
  #waiting: ((line: string | null) => void) | null = null;
  #ended = false;
  #closed = false;
  #draining = false;

  /** Takes over the terminal (raw mode) until {@linkcode close}. */
  constructor(options: TerminalInputOptions) {
    const history = options.history;
    this.#echo = new Echo(
      options.output === "stdout" ? process.stdout : process.stderr,
    );
    this.#rl = readline.createInterface({
      input: process.stdin,
      output: this.#echo,
      terminal: true,
      history: history?.lines.slice() ?? [],
      historySize: HISTORY_LINES,
      removeHistoryDuplicates: true,
      completer: (
        line: string,
        done: (error: null, result: [string[], string]) => void,
      ) => {
        options.complete(line).then(
          (result) => done(null, result),
          () => done(null, [[], line]),
        );
      },
    });
    let historyLost = false;
    this.#rl.on("line", (line: string) => {
      if (history && !history.add(line) && !historyLost) {
        historyLost = true;
        options.onHistoryLost?.(history.path);
      }
      this.#deliver(line);
    });
    this.#rl.on("close", () => {
      this.#ended = true;
      // Ctrl+D while a command runs: keep reading keys until the end, so
      // none is left for the shell, and Ctrl+C still cancels.
      if (this.#waiting === null && !this.#closed) {
        this.#drainKeys();
        options.notice?.(
          "Leaving once this command ends (Ctrl+C cancels it)",
        );
      }
      this.#deliver(null);
    });
    this.#rl.on("SIGINT", () => this.#interrupt());
    // Ctrl+Z would stop the client with the terminal in raw mode, and a
    // task runner's child cannot be resumed at its prompt: it does nothing.
    this.#rl.on("SIGTSTP", () => {});
  }

  /**
   * Shows `prompt` and waits for a line; a line typed ahead while the last
   * command ran is shown after the prompt and taken at once, and a line
   * begun then is shown there to go on with.
   */
  next(prompt: string): Promise<string | null> {
    this.#echo.muted = false;
    const ahead = this.#typedAhead.shift();
    if (ahead !== undefined) {
      this.#echo.write(`${prompt}${escapeControl(ahead)}\n`);
      return Promise.resolve(ahead);
    }
    if (this.#ended) return Promise.resolve(null);
    this.#rl.setPrompt(prompt);
    this.#rl.prompt(true);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  /** Gives the terminal back (cooked mode); a waiting line gets `null`. */
  close(): void {
    this.#closed = true;
    this.#rl.close();
    if (this.#draining) {
      process.stdin.off("data", this.#onKeys);
      process.stdin.setRawMode(false);
    }
    // Stop reading: a read left pending would keep the program alive.
    process.stdin.pause();
  }

  #drainKeys(): void {
    this.#draining = true;
    process.stdin.setRawMode(true);
    process.stdin.on("data", this.#onKeys);
    process.stdin.resume();
  }

  readonly #onKeys = (keys: Uint8Array | string) => {
    const text = typeof keys === "string"
      ? keys
      : new TextDecoder().decode(keys);
    if (text.includes("\x03")) this.onInterrupt?.();
  };

  #deliver(line: string | null): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    // A command runs from here to the next prompt: what is typed meanwhile
    // is not shown until then.
    this.#echo.muted = true;
    if (waiting) waiting(line);
    else if (line !== null) this.#typedAhead.push(line); // Enter during a command
  }

  #interrupt(): void {
    if (this.#waiting === null) {
      // A command runs: cancel it, and what was typed ahead with it.
      this.#typedAhead.length = 0;
      this.onInterrupt?.();
    } else if (this.#rl.line !== "") {
      this.#clearLine();
    } else {
      this.#rl.close();
    }
  }

  #clearLine(): void {
    // As the keys would: to the end of the line, then delete to its start.
    this.#rl.write(null, { ctrl: true, name: "e" });
    this.#rl.write(null, { ctrl: true, name: "u" });
  }
}
