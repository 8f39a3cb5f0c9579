/**
 * One client's socket as the server holds it: request bytes framed into
 * lines, replies collected and written with backpressure, the idle watch
 * (its decision in `idle.ts`), and a stop that always ends with a reply or
 * a close.
 *
 * @module
 */

import { isTcp, type TimerHandle, writeAll } from "../common/mod.ts";
import { type CloseReason, LineBuffer, ReplyWriter } from "../wire/mod.ts";
import type { ClientConnectionOptions } from "./context.ts";
import { idleVerdict, type Watched } from "./idle.ts";
import { lingerThenClose } from "./linger.ts";

/**
 * The socket of one accepted client. Reads go into {@linkcode lines};
 * replies collect in {@linkcode out} until {@linkcode flush}.
 */
export class ClientConnection implements Watched {
  /** Request bytes, framed into lines. */
  readonly lines: LineBuffer;
  /** Replies waiting to be written. */
  readonly out: ReplyWriter = new ReplyWriter();

  readonly #conn: Deno.Conn<Deno.NetAddr>;
  readonly #options: ClientConnectionOptions;
  // Replies in progress: writes under way, and commands being answered.
  #replying = 0;
  // Made when first asked for: most connections never start a transfer.
  #abort: AbortController | undefined;
  #closed = false;
  #writeClosed = false;
  #reading = false;
  #spoke = false;
  // Whether any byte came from the client.
  #heard = false;
  // The `421` stop() writes while the session waits in read().
  #lastReply: Promise<void> | undefined;
  // A read begun while the client waited for a slot, taken over by read().
  #pendingRead: Promise<boolean> | undefined;
  #stopReason: CloseReason | null = null;
  #lastActive: number;
  // The size of a flush whose first write, if it takes it whole, needs no
  // stamp of activity; -1 when every write is stamped.
  #unstamped = -1;
  #graceTimer: TimerHandle | undefined;

  /** Wraps an accepted connection. */
  constructor(conn: Deno.Conn<Deno.NetAddr>, options: ClientConnectionOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#lastActive = options.clock.now();
    this.lines = new LineBuffer(options.maxLineBytes);
  }

  /** Aborts when the connection is being stopped: a transfer must end. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#stopReason !== null) this.#abort.abort();
    }
    return this.#abort.signal;
  }

  /** Why the server is stopping this connection, if it is. */
  get stopReason(): CloseReason | null {
    return this.#stopReason;
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The client's address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr;
  }

  /** Whether the client has sent a complete request line yet. */
  get hasSpoken(): boolean {
    return this.#spoke;
  }

  /**
   * Since when the client has been idle (its last request or reply bytes
   * taken), on the server's clock; `null` while a reply is under way.
   */
  get idleSince(): number | null {
    return this.#replying > 0 ? null : this.#lastActive;
  }

  /** Turns off Nagle's delay and starts the idle watch. */
  start(): void {
    if (isTcp(this.#conn)) this.#conn.setNoDelay(true);
    const { idle, timings } = this.#options;
    if (timings.idleMs > 0) idle.watch(this, timings.idleMs);
  }

  /**
   * Reads more request bytes into {@linkcode lines}.
   *
   * @returns `false` when the client has ended the stream, or when
   * {@linkcode stop} took the socket over during the read.
   * @throws {LineTooLongError} if a pending line already exceeds the limit.
   */
  read(): Promise<boolean> {
    const raw = this.startRead();
    if (raw === null) {
      const pending = this.#pendingRead!;
      this.#pendingRead = undefined;
      return pending;
    }
    return raw.then(
      (n) => this.took(n),
      (error) => {
        this.took(null);
        throw error;
      },
    );
  }

  /**
   * Starts a read into {@linkcode lines} whose count goes to {@linkcode took}
   * (`null`: one begun by {@linkcode readAhead} is {@linkcode read}'s). The
   * session's read, in which idle connections wait: no promise of its own.
   */
  startRead(): Promise<number | null> | null {
    if (this.#pendingRead !== undefined) return null;
    const space = this.lines.space();
    this.#reading = true;
    return this.#conn.read(space);
  }

  /**
   * Takes the count of a read from {@linkcode startRead} (`null` for its
   * end, or after it failed).
   *
   * @returns as {@linkcode read} does.
   */
  took(n: number | null): boolean {
    this.#reading = false;
    if (n !== null && n > 0) this.#heard = true;
    if (n === null || this.#stopReason !== null) return false;
    this.lines.filled(n);
    return true;
  }

  /**
   * Starts a read that {@linkcode read} takes over later, or returns the
   * one under way: a newcomer waiting for a slot reads ahead, and no byte
   * it sent is lost.
   */
  readAhead(): Promise<boolean> {
    return this.#pendingRead ??= this.read().finally(() =>
      this.#pendingRead = undefined
    );
  }

  /** Writes the collected replies, waiting while the client does not read. */
  async flush(): Promise<void> {
    // Called once per read of requests: no extra awaited call in between.
    this.#replying++;
    try {
      const bytes = this.out.bytes();
      this.#unstamped = bytes.length;
      await writeAll(this.#conn, bytes, this.#progress);
    } finally {
      this.#replying--;
    }
    this.out.clear();
  }

  /** Writes raw bytes (a download's payload), waiting on a slow reader. */
  async send(chunk: Uint8Array): Promise<void> {
    this.#replying++;
    try {
      this.#unstamped = -1;
      await writeAll(this.#conn, chunk, this.#progress);
    } finally {
      this.#replying--;
    }
  }

  /**
   * Marks a command being answered, until {@linkcode answered}: however
   * long it takes (a download), the client is held to the stall limit
   * meanwhile, not to the idle timeout.
   */
  answering(): void {
    this.#replying++;
  }

  /** Ends what {@linkcode answering} began. */
  answered(): void {
    this.#replying--;
  }

  /** Records a request as it arrives: the client is active and has spoken. */
  requested(): void {
    this.#spoke = true;
    this.#lastActive = this.#options.clock.now();
  }

  /**
   * Records activity: any bytes of a reply the socket took. A flush taken
   * whole by its first write is not stamped (reading the clock is a good
   * part of a short request's cost): it follows the request that was, or
   * answers lines that must not count as activity.
   */
  #progress = (written: number): void => {
    const whole = written === this.#unstamped;
    this.#unstamped = -1;
    if (!whole) this.#lastActive = this.#options.clock.now();
  };

  /**
   * Asks the connection to end with `421`: at once when it is waiting for
   * a request, else after the reply it is writing. A transfer in progress
   * is cut (see {@linkcode signal}), since nothing can be said in the
   * middle of raw bytes. A client that will not take the reply is closed
   * after a grace.
   */
  stop(reason: CloseReason): void {
    if (this.#stopReason !== null || this.#closed) return;
    this.#stopReason = reason;
    this.#abort?.abort();
    this.#startGrace();
    if (this.#reading) {
      // The session is parked in read(), nothing else writes: the end of
      // stream after the reply makes the client close, ending that read.
      this.out.closing(reason);
      this.#lastReply = writeAll(this.#conn, this.out.bytes())
        .then(() => this.#closeWrite())
        .catch(() => this.close());
    }
  }

  /**
   * Ends the connection so that the last reply arrives: half-closes,
   * drops what the client still sends for a bounded time and size (see
   * `linger.ts`), then closes.
   */
  async finish(): Promise<void> {
    if (this.#closed) return;
    // A peer that never sent a byte has none unread: no reset to fear, and
    // with no `421` on its way, nothing to wait for.
    if (!this.#heard && this.#lastReply === undefined) return this.close();
    this.#startGrace();
    // The `421` that stop() is writing goes out before the half-close.
    await this.#lastReply;
    if (this.#closed) return;
    if (!this.#heard) return this.close();
    const writeClosed = this.#writeClosed;
    this.#writeClosed = true;
    await lingerThenClose(this.#conn, () => this.close(), {
      places: this.#options.lingering,
      writeClosed,
    });
  }

  #startGrace(): void {
    const { clock, timings } = this.#options;
    this.#graceTimer ??= clock.setTimer(
      () => this.close(),
      timings.closeGraceMs,
    );
  }

  async #closeWrite(): Promise<void> {
    if (this.#writeClosed || this.#closed) return;
    this.#writeClosed = true;
    await this.#conn.closeWrite();
  }

  /** Closes the socket and stops every timer and watch (idempotent). */
  close(): void {
    const { clock, idle } = this.#options;
    idle.unwatch(this);
    clock.clearTimer(this.#graceTimer);
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }

  /** For the idle watch: stops the connection once idle too long. */
  checkIdle(now: number): number | null {
    if (this.#closed || this.#stopReason !== null) return null;
    const verdict = idleVerdict(
      now - this.#lastActive,
      this.#replying > 0,
      this.#options.timings,
    );
    if (verdict.kind === "again") return verdict.ms;
    this.stop(verdict.reason);
    return null;
  }
}
