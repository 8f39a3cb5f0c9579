/**
 * Replies as the server writes them: one builder per reply, appending its
 * bytes to a buffer so that everything one read produced leaves in a
 * single write.
 *
 * Every reply line starts with a three-digit code. A hyphen after the code
 * marks a continuation line and a space marks the last line of a reply, as
 * in SMTP and FTP, so a reader always knows where a reply ends whatever the
 * text says. The words of each reply are in `texts.ts`.
 *
 * @module
 */

import { formatIsoTime } from "../common/mod.ts";
import { Code } from "./codes.ts";
import {
  type CloseReason,
  closingText,
  formatFileHeader,
  formatFileTrailer,
  formatGreeting,
  type Refusal,
  refusalCode,
  refusalText,
} from "./texts.ts";

const encoder = new TextEncoder();
const ACK_LF = encoder.encode("ACK\n");
const ECHO_PREFIX = encoder.encode(`${Code.Echo} `);

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

  /** Creates an empty writer with room for `initialCapacity` bytes. */
  constructor(initialCapacity = 256) {
    this.#initialCapacity = initialCapacity;
    this.#buf = new Uint8Array(initialCapacity);
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
    if (this.#buf.length > REPLY_RETAIN_BYTES) {
      this.#buf = new Uint8Array(this.#initialCapacity);
    }
  }

  /** `220 Connected as <name>`: the greeting. */
  greeting(name: string): void {
    this.#line(Code.Greeting, formatGreeting(name));
  }

  /** `421 Server is full: …`: the reply to a client turned away. */
  serverFull(maxClients: number): void {
    this.closing({ kind: "full", maxClients });
  }

  /** `421 <why>`: the server closes the connection on its own. */
  closing(reason: CloseReason): void {
    this.#line(Code.Closing, closingText(reason));
  }

  /** `230 Hello <name>`: the reply to a `hello` the server accepts. */
  hello(name: string): void {
    this.#line(Code.Hello, `Hello ${name}`);
  }

  /** `501`: a `hello` that is not `<name> <program> [<token>]`, or names another client. */
  helloUsage(name: string): void {
    this.#line(
      Code.BadArguments,
      `Usage: hello ${name} <program>/<version> [<token>]`,
    );
  }

  /** `530`: a request before the token, on a server that wants one. */
  authRequired(name: string): void {
    this.#line(
      Code.AuthRequired,
      `This server wants a token first: hello ${name} <program>/<version> <token>`,
    );
  }

  /** `535`: a wrong token; `triesLeft` more before the connection closes. */
  authFailed(triesLeft: number): void {
    this.#line(
      Code.AuthFailed,
      `Wrong token; ${triesLeft} more ${triesLeft === 1 ? "try" : "tries"}`,
    );
  }

  /** `200 OK`: the reply to `noop`. */
  ok(): void {
    this.#line(Code.Ok, "OK");
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

  /** `211`: the status table, then its summary line. */
  status(table: readonly string[], summary: string): void {
    this.#lines(Code.Status, table, summary);
  }

  /** `221 Goodbye <name>`: the reply to `exit`. */
  goodbye(name: string): void {
    this.#line(Code.Goodbye, `Goodbye ${name}`);
  }

  /** `212`: the file list, then its summary line. */
  fileList(rows: readonly string[], summary: string): void {
    this.#lines(Code.List, rows, summary);
  }

  /** `212`: the reply to `list` when there is nothing to offer. */
  noFiles(more = ""): void {
    this.#line(
      Code.List,
      more === ""
        ? "No files to offer: the folder is empty"
        : `No files to offer${more}`,
    );
  }

  /** `213 <ISO 8601 time>`: the server's clock. */
  time(now: Date): void {
    this.#line(Code.Time, formatIsoTime(now));
  }

  /** `150 <size> <name>`: the header of a download; raw bytes follow. */
  fileHeader(size: number, name: string): void {
    this.#line(Code.FileHeader, formatFileHeader(size, name));
  }

  /** `226 SHA-256 <hex>`: the trailer after a download's raw bytes. */
  fileTrailer(sha256Hex: string): void {
    this.#line(Code.FileDone, formatFileTrailer(sha256Hex));
  }

  /** `501`: `get` without a name. */
  getUsage(): void {
    this.#line(Code.BadArguments, "Usage: get <name> (names come from 'list')");
  }

  /** `550` or `451`: a `get` refused. */
  refusal(refusal: Refusal): void {
    this.#line(refusalCode(refusal), refusalText(refusal));
  }

  /** `451`: `list` failed; `detail` says why, naming no path. */
  listFailed(detail: string): void {
    this.#line(Code.FileError, `Cannot list the files: ${detail}`);
  }

  /** `500`: a line that is not UTF-8; the connection stays open. */
  notUtf8(): void {
    this.#line(Code.BadLine, "Line is not valid UTF-8; it was ignored");
  }

  /** `500`: a line over the limit; the server closes the connection. */
  lineTooLong(limit: number): void {
    this.#line(Code.BadLine, `Line is longer than ${limit} bytes; closing`);
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buf.length) return;
    let capacity = this.#buf.length * 2;
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

  #line(code: number, text: string): void {
    this.#text(`${code} ${text}\n`);
  }

  #lines(code: number, lines: readonly string[], last: string): void {
    for (const line of lines) this.#text(`${code}-${line}\n`);
    this.#line(code, last);
  }
}
