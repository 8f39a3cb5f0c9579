/**
 * Where the client's text goes: stdout for the server's replies, stderr
 * for what the client itself says, in order on a terminal.
 *
 * @module
 */

import { writeAllSync } from "../common/mod.ts";

/** Where the prompt's text goes: the terminal, or a test's transcript. */
export interface PromptOutput {
  /** Prints a line of results (stdout). */
  print(line: string): void;
  /**
   * Prints a line of results given as printable ASCII bytes, valid only
   * during the call (stdout): a long reply's lines need no string.
   */
  printAscii(line: Uint8Array): void;
  /** Prints a notice, or a line about something that went wrong (stderr). */
  error(line: string): void;
  /** Writes raw text, no line end added: the progress bar (stderr). */
  write(text: string): void;
  /** Writes out anything printed and still held, before others write. */
  flush(): void;
}

const encoder = new TextEncoder();

// Lines printed together are written together, up to this much at once.
const STDOUT_BATCH_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * The process's stdout and stderr. Lines for stdout are gathered in one
 * reused buffer and written once the code that printed them yields (all
 * the lines one read of a long reply brought, in one write), or once the
 * buffer is full; stderr writes them first, so the two stay in order on a
 * terminal. No line costs a new buffer: a new one for every long line
 * would pile up garbage faster than it is collected.
 */
class ConsoleOutput implements PromptOutput {
  readonly #buf = new Uint8Array(STDOUT_BATCH_BYTES);
  #used = 0;

  print(line: string): void {
    for (let rest = line; rest.length > 0;) {
      if (this.#buf.length - this.#used < 4) this.flush(); // room for a character
      const { read, written } = encoder.encodeInto(
        rest,
        this.#buf.subarray(this.#used),
      );
      this.#add(written);
      rest = rest.slice(read);
    }
    this.#newline();
  }

  printAscii(line: Uint8Array): void {
    for (let at = 0; at < line.length;) {
      if (this.#used === this.#buf.length) this.flush();
      const n = Math.min(line.length - at, this.#buf.length - this.#used);
      this.#buf.set(line.subarray(at, at + n), this.#used);
      this.#add(n);
      at += n;
    }
    this.#newline();
  }

  error(line: string): void {
    this.flush();
    writeAllSync(Deno.stderr, encoder.encode(line + "\n"));
  }

  write(text: string): void {
    this.flush();
    writeAllSync(Deno.stderr, encoder.encode(text));
  }

  /**
   * Writes what was gathered so far. When stdout is a pipe whose reader
   * has gone (`| head -1`), the program ends quietly, as programs killed
   * by SIGPIPE do (exit code 141): nobody is left to read the rest.
   */
  flush(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    try {
      writeAllSync(Deno.stdout, this.#buf.subarray(0, used));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      Deno.exit(141);
    }
  }

  #newline(): void {
    if (this.#used === this.#buf.length) this.flush();
    this.#buf[this.#used] = LF;
    this.#add(1);
  }

  #add(bytes: number): void {
    if (this.#used === 0 && bytes > 0) queueMicrotask(() => this.flush());
    this.#used += bytes;
  }
}

/** The process's stdout and stderr. */
export const consoleOutput: PromptOutput = new ConsoleOutput();
