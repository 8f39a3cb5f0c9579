/**
 * One connection to a server written for the course: what it sends,
 * and what comes back taken as a reply once the server has been quiet for
 * a while, since a course server ends its replies with no mark at all.
 * Every wait is bounded, and so is what is kept.
 *
 * @module
 */

import { type Clock, writeAll } from "../common/mod.ts";

/** Where the server listens. */
export interface Target {
  /** Its address or name. */
  hostname: string;
  /** Its port. */
  port: number;
  /** Speak TLS, trusting these authorities (PEM) besides the system's. */
  tls?: { caCerts?: string[] } | null;
}

/** How long to wait for a reply, in milliseconds. */
export interface Patience {
  /** A reply has ended once nothing more came for this long. */
  quietMs: number;
  /** How long to wait for the first byte of a reply. */
  waitMs: number;
  /** The longest one reply may keep arriving (a large file, a trickle). */
  replyMs: number;
  /**
   * The most bytes of one reply kept (those past it are counted only);
   * {@linkcode MAX_HEARD_BYTES} unless given.
   */
  maxBytes?: number;
  /** Where the time comes from. */
  clock: Clock;
}

/** What came back after a request, or on connecting. */
export interface Heard {
  /** The bytes, at most the peer's limit (those past it are counted only). */
  bytes: Uint8Array;
  /** Bytes that came past the limit and were not kept. */
  dropped: number;
  /** The server closed the connection (or reset it). */
  closed: boolean;
  /** Milliseconds from the start of the wait to its end. */
  ms: number;
}

/** The most bytes one reply keeps: a file to compare fits, a flood does not. */
export const MAX_HEARD_BYTES = 256 * 1024 * 1024;

/** A connection to the server. */
export class Peer implements AsyncDisposable {
  readonly #conn: Deno.Conn;
  readonly #patience: Patience;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #dropped = 0;
  #closed = false;
  #lastByteAt = 0;
  #wake = new AbortController();
  /** Resolves once the connection's reading has ended. */
  readonly ended: Promise<void>;

  private constructor(conn: Deno.Conn, patience: Patience) {
    this.#conn = conn;
    this.#patience = patience;
    this.ended = this.#pump();
  }

  /**
   * Connects to `target`, giving up after the patience's `waitMs`.
   *
   * @returns the peer, or the error that stopped it.
   */
  static async open(target: Target, patience: Patience): Promise<Peer | Error> {
    const { hostname, port, tls } = target;
    // A TLS handshake that fails says so here, not as a silent close.
    const connecting: Promise<Deno.Conn> = tls
      ? Deno.connectTls({ hostname, port, caCerts: tls.caCerts }).then(
        async (conn) => {
          try {
            await conn.handshake();
            return conn;
          } catch (error) {
            conn.close();
            throw error;
          }
        },
      )
      : Deno.connect({ hostname, port });
    const timeout = new AbortController();
    const late = patience.clock.sleep(patience.waitMs, timeout.signal)
      .then(() => new Error(`no connection after ${patience.waitMs} ms`));
    try {
      const conn = await Promise.race([connecting, late]);
      if (conn instanceof Error) {
        connecting.then((c) => c.close(), () => {});
        return conn;
      }
      return new Peer(conn, patience);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      timeout.abort();
    }
  }

  /** Whether the server has closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  async #pump(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#lastByteAt = this.#patience.clock.now();
        // Kept up to the limit exactly, whatever the reads' sizes.
        const room = (this.#patience.maxBytes ?? MAX_HEARD_BYTES) - this.#size;
        const kept = Math.max(0, Math.min(room, n));
        if (kept > 0) {
          this.#chunks.push(buffer.slice(0, kept));
          this.#size += kept;
        }
        this.#dropped += n - kept;
        this.#wake.abort();
      }
    } catch {
      // A reset ends it as a close does.
    }
    this.#closed = true;
    this.#wake.abort();
  }

  /**
   * Sends `data` as it is.
   *
   * @returns `false` when the connection would not take it.
   */
  async send(data: string | Uint8Array): Promise<boolean> {
    const bytes = typeof data === "string"
      ? new TextEncoder().encode(data)
      : data;
    try {
      await writeAll(this.#conn, bytes);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Takes what arrives: everything until the server has been quiet for
   * `quietMs` after its last byte, or until it closes; nothing if no byte
   * comes within `waitMs` (the patience's unless given).
   */
  async hear(waitMs: number = this.#patience.waitMs): Promise<Heard> {
    const { clock, quietMs, replyMs } = this.#patience;
    const start = clock.now();
    const firstBy = start + waitMs;
    const lastBy = firstBy + replyMs;
    for (;;) {
      const now = clock.now();
      const quietFor = now - this.#lastByteAt;
      const heard = this.#size + this.#dropped > 0;
      if (this.#closed || now >= lastBy) break;
      if (heard && quietFor >= quietMs) break;
      if (!heard && now >= firstBy) break;
      const until = heard ? this.#lastByteAt + quietMs : firstBy;
      this.#wake = new AbortController();
      await clock.sleep(
        Math.max(1, Math.min(until, lastBy) - now),
        this.#wake.signal,
      );
    }
    return this.#take(clock.now() - start);
  }

  #take(ms: number): Heard {
    const bytes = new Uint8Array(this.#size);
    let at = 0;
    for (const chunk of this.#chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    const heard = { bytes, dropped: this.#dropped, closed: this.#closed, ms };
    this.#chunks = [];
    this.#size = 0;
    this.#dropped = 0;
    return heard;
  }

  /** Closes the connection (once), and waits until reading has ended. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // Closed already.
    }
    await this.ended;
  }

  /** Closes the connection. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
