/**
 * The ackline wire protocol: request words, reply codes, and the encoding of
 * replies into bytes. PROTOCOL.md is the prose version of this module.
 *
 * Every reply line starts with a three-digit code. A hyphen after the code
 * marks a continuation line and a space marks the last line of a reply, as
 * in SMTP and FTP, so a reader always knows where a reply ends whatever the
 * text says.
 *
 * @module
 */

/** Reply codes; the first digit says success (1-2), closing (4) or error (5). */
export const Code = {
  /** Header of a file download: `150 <size> <name>`, raw bytes follow. */
  FileHeader: 150,
  /** Status table, one client a line. */
  Status: 211,
  /** File list, one file a line. */
  List: 212,
  /** Greeting: `220 Connected as Client01`. */
  Greeting: 220,
  /** Goodbye after `exit`; the server closes the connection. */
  Goodbye: 221,
  /** Trailer after the raw bytes of a download: `226 SHA-256 <hex>`. */
  FileDone: 226,
  /** Echo: the message followed by `ACK`. */
  Echo: 250,
  /** The server is closing this connection (full, shutting down, idle). */
  Closing: 421,
  /** A file exists but could not be read. */
  FileError: 451,
  /** The line itself is unacceptable (too long, not UTF-8). */
  BadLine: 500,
  /** A command is missing its argument or has a malformed one. */
  BadArguments: 501,
  /** The name is not a regular file in the server's folder. */
  NoSuchFile: 550,
} as const;

/** Requests the server understands; any other line is echoed. */
export type Command =
  | { kind: "status" }
  | { kind: "exit" }
  | { kind: "list" }
  | { kind: "get"; name: string }
  | { kind: "echo" };

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const ACK_LF = encoder.encode("ACK\n");
const ECHO_PREFIX = encoder.encode(`${Code.Echo} `);
const G = 0x67, E = 0x65, T = 0x74, SPACE = 0x20;
// Shared results, so the per-line path allocates nothing.
const ECHO: Command = Object.freeze({ kind: "echo" });
const WORD_COMMANDS: readonly Command[] = Object.freeze([
  Object.freeze({ kind: "exit" }),
  Object.freeze({ kind: "list" }),
  Object.freeze({ kind: "status" }),
]);
const COMMAND_BYTES = WORD_COMMANDS.map((command) =>
  encoder.encode(command.kind)
);

function bytesEqual(
  bytes: Uint8Array,
  start: number,
  end: number,
  word: Uint8Array,
): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (bytes[start + i] !== word[i]) return false;
  }
  return true;
}

/**
 * Reads the request in `bytes[start, end)` without decoding it unless it is
 * `get`, whose file name is decoded.
 *
 * @throws {TypeError} if a `get` name is not valid UTF-8.
 */
export function parseCommand(
  bytes: Uint8Array,
  start: number,
  end: number,
): Command {
  const length = end - start;
  if (length >= 3 && bytes[start] === G && bytes[start + 1] === E) {
    if (
      bytes[start + 2] === T && (length === 3 || bytes[start + 3] === SPACE)
    ) {
      const name = strictDecoder.decode(bytes.subarray(start + 4, end));
      return { kind: "get", name: name.trim() };
    }
  }
  if (length === 4 || length === 6) {
    for (let i = 0; i < COMMAND_BYTES.length; i++) {
      if (bytesEqual(bytes, start, end, COMMAND_BYTES[i])) {
        return WORD_COMMANDS[i];
      }
    }
  }
  return ECHO;
}

/** Tells whether `bytes[start, end)` is valid UTF-8, cheaply for ASCII. */
export function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      try {
        strictDecoder.decode(bytes.subarray(i, end));
        return true;
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** Most memory a {@linkcode ReplyBuffer} keeps between replies. */
export const REPLY_RETAIN_BYTES = 128 * 1024;

/**
 * A growable byte buffer that collects the replies to everything one read
 * produced, so they leave in a single write.
 */
export class ReplyBuffer {
  #buf: Uint8Array;
  #length = 0;
  readonly #initialCapacity: number;

  /** Creates an empty buffer with room for `initialCapacity` bytes. */
  constructor(initialCapacity = 1024) {
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
   * unless one large reply (a `status` of thousands of clients) grew it past
   * {@linkcode REPLY_RETAIN_BYTES}: a session must not hold that for life.
   */
  clear(): void {
    this.#length = 0;
    if (this.#buf.length > REPLY_RETAIN_BYTES) {
      this.#buf = new Uint8Array(this.#initialCapacity);
    }
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

  /** Appends a one-line reply: `<code> <text>`. */
  line(code: number, text: string): void {
    this.#text(`${code} ${text}\n`);
  }

  /** Appends a multi-line reply: `<code>-<line>` for all but the last. */
  lines(code: number, lines: readonly string[], last: string): void {
    for (const line of lines) this.#text(`${code}-${line}\n`);
    this.line(code, last);
  }

  /** Appends the echo of the raw line `src[start, end)` with `ACK`. */
  echo(src: Uint8Array, start: number, end: number): void {
    this.#reserve(end - start + ECHO_PREFIX.length + ACK_LF.length);
    const buf = this.#buf;
    buf.set(ECHO_PREFIX, this.#length);
    buf.set(src.subarray(start, end), this.#length + ECHO_PREFIX.length);
    this.#length += ECHO_PREFIX.length + end - start;
    buf.set(ACK_LF, this.#length);
    this.#length += ACK_LF.length;
  }
}

/** One line of a reply as the client reads it. */
export interface ReplyLine {
  /** The three-digit code. */
  code: number;
  /** `true` on the last line of the reply. */
  last: boolean;
  /** The text after the code and its separator. */
  text: string;
}

const REPLY_LINE = /^(\d{3})([ -])(.*)$/s;

/**
 * Splits a reply line into code, separator and text.
 *
 * @returns `null` when the line is not a reply line.
 */
export function parseReplyLine(line: string): ReplyLine | null {
  const match = REPLY_LINE.exec(line);
  if (!match) return null;
  return { code: Number(match[1]), last: match[2] === " ", text: match[3] };
}

/** The parts of a download header: `150 <size> <name>`. */
export interface FileHeader {
  /** Exact number of raw bytes that follow the header line. */
  size: number;
  /** The file name as the server sent it; not safe as a path. */
  name: string;
}

/** Formats the text of a download header. */
export function formatFileHeader(size: number, name: string): string {
  return `${size} ${name}`;
}

/**
 * Reads the text of a download header.
 *
 * @returns `null` when the text is not a valid header.
 */
export function parseFileHeader(text: string): FileHeader | null {
  const match = /^(\d{1,16}) (.+)$/s.exec(text);
  if (!match) return null;
  const size = Number(match[1]);
  if (!Number.isSafeInteger(size)) return null;
  return { size, name: match[2] };
}

const SHA256_PREFIX = "SHA-256 ";

/** Formats the text of a download trailer. */
export function formatFileTrailer(sha256Hex: string): string {
  return SHA256_PREFIX + sha256Hex;
}

/**
 * Reads the hex SHA-256 out of a download trailer.
 *
 * @returns `null` when the text is not a valid trailer.
 */
export function parseFileTrailer(text: string): string | null {
  if (!text.startsWith(SHA256_PREFIX)) return null;
  const hex = text.slice(SHA256_PREFIX.length);
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
