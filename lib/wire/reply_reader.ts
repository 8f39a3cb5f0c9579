/**
 * Reading replies: the one reader every client of ackline uses (the client
 * program, the tests, the soak tool and the load generator). It frames
 * lines, checks each one's code, assembles multi-line replies, knows that
 * a `150` header is followed by raw bytes, and bounds everything it holds.
 *
 * @module
 */

import type { Reader } from "../common/mod.ts";
import { Code } from "./codes.ts";
import { REPLY_LIMITS, type ReplyLimits } from "./limits.ts";
import { LineBuffer, LineTooLongError } from "./line_buffer.ts";
import { type FileHeader, HeaderFields } from "./texts.ts";
import {
  ProtocolError,
  TruncatedPayloadError,
  unexpectedLine,
} from "./faults.ts";

/** A complete reply: its code and the text of each line. */
export interface Reply {
  /** The reply code, e.g. 250. */
  code: number;
  /** The text of each line, without code and separator. */
  lines: string[];
}

const ZERO = 0x30;
const HYPHEN = 0x2d;
const SPACE = 0x20;
const PAYLOAD_CHUNK = 1 << 20;
const decoder = new TextDecoder();

// The code of a reply line: three digits, the first from 1 to 9.
function replyCode(bytes: Uint8Array, start: number, length: number): number {
  if (length < 4) return -1;
  const a = bytes[start] - ZERO;
  const b = bytes[start + 1] - ZERO;
  const c = bytes[start + 2] - ZERO;
  if (a < 1 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/**
 * Reads replies from a byte source, incrementally. {@linkcode read} is the
 * usual entry point; {@linkcode nextLine} and {@linkcode fill} let a hot
 * loop walk reply lines without decoding their text.
 *
 * @example Usage
 * ```ts ignore
 * import { ReplyReader } from "./reply_reader.ts";
 *
 * const conn = await Deno.connect({ port: 12345 });
 * const replies = new ReplyReader(conn);
 * await replies.read(); // { code: 220, lines: ["Connected as Client01"] }
 * ```
 */
export class ReplyReader {
  /** Code of the line {@linkcode nextLine} last found. */
  code = 0;
  /** Whether that line ends its reply. */
  last = false;
  /** After a `150` header: the download whose raw bytes come next. */
  payload: FileHeader | null = null;
  /** Complete reply lines read so far. */
  linesRead = 0;

  readonly #source: Reader;
  readonly #limits: ReplyLimits;
  readonly #lines: LineBuffer;
  #pendingCode = 0; // code of the reply in progress, 0 between replies
  #replyLines = 0;
  #replyBytes = 0;
  #payloadRemaining = 0;
  readonly #fields = new HeaderFields();
  #ended = false;

  /** Creates a reader of `source` that enforces `limits`. */
  constructor(source: Reader, limits: Partial<ReplyLimits> = {}) {
    this.#source = source;
    this.#limits = { ...REPLY_LIMITS, ...limits };
    // One reader per connection: a buffer grown for a long reply line is
    // kept for the next, not allocated again for each.
    this.#lines = new LineBuffer(
      this.#limits.maxLineBytes,
      undefined,
      true,
    );
  }

  /** Whether a reply has started and not yet ended. */
  get inReply(): boolean {
    return this.#pendingCode !== 0;
  }

  /**
   * Reads more bytes from the source into the buffer.
   *
   * @returns `false` at the end of the stream.
   * @throws {Error} if called again after the end.
   */
  async fill(): Promise<boolean> {
    // Asking a finished stream again would get `null` again, forever.
    if (this.#ended) throw new Error("The stream has already ended");
    let space: Uint8Array;
    try {
      space = this.#lines.space();
    } catch (error) {
      throw this.#limitError(error);
    }
    const n = await this.#source.read(space);
    if (n === null) {
      this.#ended = true;
      return false;
    }
    this.#lines.filled(n);
    return true;
  }

  /**
   * Advances to the next complete line already buffered, setting
   * {@linkcode code} and {@linkcode last}; its text is {@linkcode text}.
   *
   * @returns `false` when no complete line is buffered.
   * @throws {ProtocolError} for a line that is not a reply line, a code
   * that changes within a reply, a limit broken, or a bad `150` header.
   */
  nextLine(): boolean {
    if (this.payload !== null) {
      throw new Error("The raw bytes of the last download are still unread");
    }
    const lines = this.#lines;
    try {
      if (!lines.next()) {
        this.#checkStart(lines.pending());
        return false;
      }
    } catch (error) {
      throw this.#limitError(error);
    }
    const bytes = lines.bytes;
    const start = lines.lineStart;
    const length = lines.lineEnd - start;
    const code = replyCode(bytes, start, length);
    const separator = bytes[start + 3];
    if (
      code < 0 || (separator !== SPACE && separator !== HYPHEN) ||
      (this.#pendingCode !== 0 && code !== this.#pendingCode)
    ) {
      throw unexpectedLine(lines.line());
    }
    this.#count(length + 1);
    this.linesRead++;
    this.code = code;
    this.last = separator === SPACE;
    this.#pendingCode = this.last ? 0 : code;
    if (code === Code.FileHeader) {
      if (this.last) this.#startPayload();
      else this.#fields.read(this.text());
    }
    return true;
  }

  /** The text of the current line, after its code and separator. */
  text(): string {
    return decoder.decode(this.textBytes());
  }

  /**
   * The bytes of the current line's text, as {@linkcode text} decodes
   * them: a view, valid until the next read.
   */
  textBytes(): Uint8Array {
    const lines = this.#lines;
    return lines.bytes.subarray(lines.lineStart + 4, lines.lineEnd);
  }

  /**
   * Reads one complete reply. After a `150` header, {@linkcode payload}
   * describes the raw bytes to take with {@linkcode readPayload} first.
   *
   * @returns the reply, or `null` when the stream ends (also mid-reply).
   * @throws {ProtocolError} as {@linkcode nextLine} does.
   * @throws {Error} if called again after it returned `null`.
   */
  async read(): Promise<Reply | null> {
    const lines: string[] = [];
    for (;;) {
      while (this.nextLine()) {
        lines.push(this.text());
        if (this.last) return { code: this.code, lines };
      }
      if (!await this.fill()) return null;
    }
  }

  /**
   * Reads the next piece of the announced download's raw bytes: bytes
   * already buffered first, then up to `buf.length` from the source.
   *
   * @returns a view valid until the next read, or `null` for a download of
   * no bytes. {@linkcode payload} is `null` again once every byte is read.
   * @throws {TruncatedPayloadError} if the stream ends first.
   */
  async readPayloadChunk(buf: Uint8Array): Promise<Uint8Array | null> {
    const header = this.payload;
    if (header === null) throw new Error("No download is announced");
    const remaining = this.#payloadRemaining;
    if (remaining === 0) {
      this.payload = null;
      return null;
    }
    const want = Math.min(remaining, buf.length);
    let chunk = this.#lines.take(want);
    if (chunk.length === 0) {
      const n = await this.#source.read(buf.subarray(0, want));
      if (n === null) {
        throw new TruncatedPayloadError(remaining, header.size, header.name);
      }
      chunk = buf.subarray(0, n);
    }
    this.#payloadRemaining -= chunk.length;
    if (this.#payloadRemaining === 0) this.payload = null;
    return chunk;
  }

  /**
   * Hands every raw byte of the announced download to `sink`, in chunks
   * that are valid only until `sink` resolves.
   *
   * @throws {TruncatedPayloadError} if the stream ends first.
   */
  async readPayload(
    sink: (chunk: Uint8Array) => Promise<void> | void,
  ): Promise<void> {
    if (this.payload === null) throw new Error("No download is announced");
    const buf = new Uint8Array(
      Math.max(1, Math.min(PAYLOAD_CHUNK, this.#payloadRemaining)),
    );
    while (this.payload !== null) {
      const chunk = await this.readPayloadChunk(buf);
      if (chunk !== null) await sink(chunk);
    }
  }

  /**
   * Fails at once on a line that cannot become a reply line, instead of
   * waiting for a line end that a foreign server may never send.
   */
  #checkStart(partial: Uint8Array): void {
    const n = Math.min(partial.length, 4);
    for (let i = 0; i < n; i++) {
      const byte = partial[i];
      const ok = i === 0
        ? byte > ZERO && byte <= ZERO + 9
        : i < 3
        ? byte >= ZERO && byte <= ZERO + 9
        : byte === SPACE || byte === HYPHEN;
      if (!ok) throw unexpectedLine(partial);
    }
  }

  #count(bytes: number): void {
    if (this.#pendingCode === 0) {
      this.#replyLines = 0;
      this.#replyBytes = 0;
    }
    this.#replyLines++;
    this.#replyBytes += bytes;
    const { maxLines, maxReplyBytes } = this.#limits;
    if (this.#replyLines > maxLines) {
      throw new ProtocolError({ kind: "too-many-lines", limit: maxLines });
    }
    if (this.#replyBytes > maxReplyBytes) {
      throw new ProtocolError({ kind: "too-large", limit: maxReplyBytes });
    }
  }

  #startPayload(): void {
    const text = this.text();
    const header = this.#fields.header(text);
    if (header === null) throw new ProtocolError({ kind: "bad-header", text });
    this.payload = header;
    this.#payloadRemaining = header.size;
  }

  #limitError(error: unknown): unknown {
    return error instanceof LineTooLongError
      ? new ProtocolError({
        kind: "line-too-long",
        limit: this.#limits.maxLineBytes,
      })
      : error;
  }
}
