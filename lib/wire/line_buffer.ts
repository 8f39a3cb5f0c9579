/**
 * Line framing over a byte stream: bytes are read into one reused buffer,
 * line ends are found by scanning for LF, and nothing is decoded here.
 *
 * @module
 */

const LF = 10;
const CR = 13;
/** The first size of a buffer: enough for a typed request and its reads. */
export const INITIAL_CAPACITY = 512;
/** A buffer whose reads come back full grows up to this size. */
export const READ_GROWTH_LIMIT = 16 * 1024;
const EMPTY = new Uint8Array(0);
// A grown buffer goes back to its first size after this many reads in a
// row that its first size would have held: the client has gone quiet.
const QUIET_READS = 64;

/** Thrown when more than the limit arrives without a line end. */
export class LineTooLongError extends Error {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  /** Creates the error for a line longer than `limit` bytes. */
  constructor(limit: number) {
    super(`Line is longer than ${limit} bytes`);
    this.name = "LineTooLongError";
    this.limit = limit;
  }
}

/**
 * Splits a byte stream into LF or CRLF terminated lines.
 *
 * The buffer starts small (idle connections stay cheap) and grows while a
 * single line needs it, never past the limit plus its CRLF, or while reads
 * come back full (a client sending many lines at once), up to
 * {@linkcode READ_GROWTH_LIMIT}. Lines are
 * handed out as offsets into {@linkcode LineBuffer.bytes}, valid until the
 * next {@linkcode LineBuffer.space} call, so the hot path allocates nothing.
 *
 * @example Usage
 * ```ts
 * import { LineBuffer } from "./line_buffer.ts";
 *
 * const lines = new LineBuffer(1024);
 * const input = new TextEncoder().encode("hello\r\nwor");
 * lines.space().set(input);
 * lines.filled(input.length);
 * lines.next(); // true: lines.line() is "hello"
 * lines.next(); // false: "wor" waits for more bytes
 * ```
 */
export class LineBuffer {
  /** The longest line accepted, in bytes, not counting CR and LF. */
  readonly maxLineBytes: number;
  /** Start of the current line in {@linkcode LineBuffer.bytes}. */
  lineStart = 0;
  /** End (exclusive) of the current line, CR and LF excluded. */
  lineEnd = 0;

  #buf: Uint8Array;
  readonly #initialCapacity: number;
  readonly #keepGrown: boolean;
  #start = 0; // first byte not yet handed out
  #end = 0; // end of the bytes read so far
  #scanFrom = 0; // bytes in [#start, #scanFrom) hold no LF
  #filled: Uint8Array; // [0, #end): bounds the LF search to bytes read
  #offered = 0; // room the last space() gave
  #readFull = false; // the last read took all of it
  #quietReads = 0; // reads in a row the first size would have held

  /**
   * Creates a buffer for lines of at most `maxLineBytes` bytes. It grows
   * for a long line and, unless `keepGrown`, shrinks back once empty: right
   * for many idle connections, while a single reader of many long lines
   * would otherwise allocate the grown buffer again for each of them.
   */
  constructor(
    maxLineBytes: number,
    initialCapacity = INITIAL_CAPACITY,
    keepGrown = false,
  ) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError("The line limit must be a positive integer");
    }
    this.maxLineBytes = maxLineBytes;
    this.#keepGrown = keepGrown;
    this.#initialCapacity = Math.min(initialCapacity, maxLineBytes + 2);
    this.#buf = new Uint8Array(this.#initialCapacity);
    this.#filled = this.#buf.subarray(0, 0);
  }

  /** The underlying bytes; the current line is `[lineStart, lineEnd)`. */
  get bytes(): Uint8Array {
    return this.#buf;
  }

  /** How many bytes are buffered and not yet handed out. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Returns the free space to read into, making room first: handed-out bytes
   * are dropped, the buffer grows if a partial line fills it, and shrinks
   * back to its first size once a long line has been handed out (unless
   * made to keep its size).
   *
   * @throws {LineTooLongError} if the partial line already exceeds the limit.
   */
  space(): Uint8Array {
    const pending = this.#end - this.#start;
    if (
      pending === 0 && this.#buf.length > this.#initialCapacity &&
      !this.#keepGrown &&
      (this.#buf.length > READ_GROWTH_LIMIT || this.#quietReads >= QUIET_READS)
    ) {
      // Grown for one long line, or for a burst that is over, and now
      // empty: a connection must not keep that for life.
      this.#buf = new Uint8Array(this.#initialCapacity);
      this.#start =
        this.#end =
        this.#scanFrom =
        this.#quietReads =
          0;
    } else if (this.#start > 0) {
      if (pending > 0) this.#buf.copyWithin(0, this.#start, this.#end);
      this.#scanFrom -= this.#start;
      this.#start = 0;
      this.#end = pending;
    }
    if (pending === this.#buf.length) {
      const limit = this.maxLineBytes + 2;
      if (pending >= limit) throw new LineTooLongError(this.maxLineBytes);
      this.#grow(Math.min(this.#buf.length * 2, limit));
    } else if (this.#readFull && this.#buf.length < READ_GROWTH_LIMIT) {
      // Reads that come back full mean more is waiting: take it in fewer.
      this.#grow(Math.min(this.#buf.length * 2, READ_GROWTH_LIMIT));
    }
    this.#readFull = false;
    // Nothing pending is the usual case between reads: then no view is made.
    this.#filled = this.#end === 0 ? EMPTY : this.#buf.subarray(0, this.#end);
    const room = this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end);
    this.#offered = room.length;
    return room;
  }

  #grow(capacity: number): void {
    const grown = new Uint8Array(capacity);
    grown.set(this.#buf.subarray(0, this.#end));
    this.#buf = grown;
  }

  /** Records that `n` bytes were written into the last {@linkcode space}. */
  filled(n: number): void {
    this.#readFull = n > 0 && n === this.#offered;
    this.#quietReads = n <= this.#initialCapacity / 2
      ? this.#quietReads + 1
      : 0;
    this.#end += n;
    this.#filled = this.#buf.subarray(0, this.#end);
  }

  /**
   * Advances to the next complete line, setting `lineStart` and `lineEnd`.
   *
   * @returns `false` when no complete line is buffered.
   * @throws {LineTooLongError} if a complete line exceeds the limit.
   */
  next(): boolean {
    const buf = this.#filled;
    let lf = buf.indexOf(LF, this.#scanFrom);
    if (lf < 0) {
      this.#scanFrom = this.#end;
      return false;
    }
    const start = this.#start;
    this.#start = this.#scanFrom = lf + 1;
    if (lf > start && buf[lf - 1] === CR) lf--;
    if (lf - start > this.maxLineBytes) {
      throw new LineTooLongError(this.maxLineBytes);
    }
    this.lineStart = start;
    this.lineEnd = lf;
    return true;
  }

  /**
   * Takes the bytes buffered after the last complete line as a line of
   * their own (a CR at their end left out), for a client that ended a
   * message with no line end and fell silent.
   *
   * @returns `false` when none are buffered.
   * @throws {LineTooLongError} if they exceed the limit.
   */
  takePartial(): boolean {
    const start = this.#start;
    let end = this.#end;
    if (end === start) return false;
    if (this.#buf[end - 1] === CR) end--;
    if (end - start > this.maxLineBytes) {
      throw new LineTooLongError(this.maxLineBytes);
    }
    this.#start = this.#scanFrom = this.#end;
    this.lineStart = start;
    this.lineEnd = end;
    return true;
  }

  /** The bytes buffered after the last complete line (a view, no copy). */
  pending(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Tells whether a complete line is buffered, without taking it. */
  hasLine(): boolean {
    if (this.#filled.indexOf(LF, this.#scanFrom) >= 0) return true;
    this.#scanFrom = this.#end;
    return false;
  }

  /** The current line as a view (no copy), valid until the next read. */
  line(): Uint8Array {
    return this.#buf.subarray(this.lineStart, this.lineEnd);
  }

  /**
   * Takes up to `max` buffered bytes that are not part of any line: the
   * start of a raw payload that arrived in the same read as its header.
   */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.#end - this.#start);
    const taken = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    if (this.#scanFrom < this.#start) this.#scanFrom = this.#start;
    return taken;
  }
}
