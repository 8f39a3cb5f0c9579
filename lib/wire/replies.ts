/**
 * Replies as the server writes them, appended to a buffer so that
 * everything one read produced leaves in a single write: any reply of one
 * line or several, and builders for the replies with structure (the
 * greeting, a download's header and trailer, closings) and the echo.
 *
 * Every reply line starts with a three-digit code. A hyphen after the code
 * marks a continuation line and a space marks the last line of a reply, as
 * in SMTP and FTP, so a reader always knows where a reply ends whatever the
 * text says. The words of each reply are in `texts.ts`.
 *
 * @module
 */

import { Code } from "./codes.ts";
import {
  type CloseReason,
  closingText,
  formatFileFields,
  formatFileHeader,
  formatFileTrailer,
  formatGreeting,
} from "./texts.ts";

const encoder = new TextEncoder();
const ACK_LF = encoder.encode("ACK\n");
const ECHO_PREFIX = encoder.encode(`${Code.Echo} `);

const EMPTY = new Uint8Array(0);

/** Most memory a {@linkcode ReplyWriter} keeps between replies. */
export const REPLY_RETAIN_BYTES = 16 * 1024;

/**
 * Collects reply bytes. Each method appends one complete reply; `bytes()`
 * hands them out for one write and `clear()` starts over.
 *
 * @example Usage
 * ```ts
 * import { ReplyWriter } from "./replies.ts";
 *
 * const out = new ReplyWriter();
 * out.greeting("Client01");
 * new TextDecoder().decode(out.bytes()); // "220 Connected as Client01\n"
 * ```
 */
export class ReplyWriter {
  #buf: Uint8Array;
  #length = 0;
  readonly #initialCapacity: number;

  /**
   * Creates an empty writer that makes room for `initialCapacity` bytes
   * at its first reply.
   */
  constructor(initialCapacity = 256) {
    this.#initialCapacity = initialCapacity;
    this.#buf = EMPTY;
  }

  /** Number of bytes collected. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the buffer holds room for. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** The collected bytes as a view, valid until the next append. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }

  /**
   * Forgets the collected bytes. The memory is kept for the next replies,
   * unless a large reply (a long echo, a `status` of many clients) grew it past
   * {@linkcode REPLY_RETAIN_BYTES}: a session must not hold that for life.
   */
  clear(): void {
    this.#length = 0;
    if (this.#buf.length > REPLY_RETAIN_BYTES) this.#buf = EMPTY;
  }

  /**
   * Forgets the collected bytes and gives the memory back, until the next
   * reply: for a connection that may now stay idle for long.
   */
  release(): void {
    this.#length = 0;
    this.#buf = EMPTY;
  }

  /** `220 Connected as <name>`: the greeting. */
  greeting(name: string): void {
    this.line(Code.Greeting, formatGreeting(name));
  }

  /** `421 <why>`: the server closes the connection on its own. */
  closing(reason: CloseReason): void {
    this.line(Code.Closing, closingText(reason));
  }

  /** `250 <line>ACK`: the echo of the raw line `src[start, end)`. */
  echo(src: Uint8Array, start: number, end: number): void {
    this.#reserve(end - start + ECHO_PREFIX.length + ACK_LF.length);
    const buf = this.#buf;
    buf.set(ECHO_PREFIX, this.#length);
    buf.set(src.subarray(start, end), this.#length + ECHO_PREFIX.length);
    this.#length += ECHO_PREFIX.length + end - start;
    buf.set(ACK_LF, this.#length);
    this.#length += ACK_LF.length;
  }

  /**
   * `150 <size> <name>`: the header of a download; raw bytes follow. A
   * resumed one says first the file's version and the byte they start at
   * (see {@linkcode fileFields}).
   */
  fileHeader(
    size: number,
    name: string,
    from?: { version: string; offset: number },
  ): void {
    if (from !== undefined) this.fileFields(from.version, from.offset);
    this.line(Code.FileHeader, formatFileHeader(size, name));
  }

  /**
   * The lines of a resumed download before its header: `150-Version <v>`
   * and `150-Offset <n>`.
   */
  fileFields(version: string, offset: number): void {
    for (const field of formatFileFields(version, offset)) {
      this.#text(`${Code.FileHeader}-${field}\n`);
    }
  }

  /** `150-<text>`: a word on the way to a download's header. */
  fileNote(text: string): void {
    this.#text(`${Code.FileHeader}-${text}\n`);
  }

  /** `226 SHA-256 <hex>`: the trailer after a download's raw bytes. */
  fileTrailer(sha256Hex: string): void {
    this.line(Code.FileDone, formatFileTrailer(sha256Hex));
  }

  /** A reply of one line: `<code> <text>`. */
  line(code: number, text: string): void {
    this.#text(`${code} ${text}\n`);
  }

  /**
   * A reply of several lines: each of `rows` as `<code>-<row>`, then
   * `<code> <last>`.
   */
  lines(code: number, rows: readonly string[], last: string): void {
    for (const row of rows) this.#text(`${code}-${row}\n`);
    this.line(code, last);
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buf.length) return;
    let capacity = Math.max(this.#buf.length * 2, this.#initialCapacity);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buf.subarray(0, this.#length));
    this.#buf = grown;
  }

  #text(text: string): void {
    // UTF-16 code units never need more than three UTF-8 bytes each.
    this.#reserve(text.length * 3);
    const { written } = encoder.encodeInto(
      text,
      this.#buf.subarray(this.#length),
    );
    this.#length += written;
  }
}
