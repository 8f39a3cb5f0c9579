/**
 * A TLS listener whose public socket is plain TCP, relayed over loopback
 * to the TLS listener behind it.
 *
 * The runtime (Deno 2.9) keeps the socket of a TLS handshake under way
 * until the peer sends or closes, even once that socket is closed: a peer
 * that starts handshakes and stalls would hold descriptors as long as it
 * likes. Here, giving up a handshake closes the public socket at once, and
 * the end of the hop makes the handshake behind it fail, which frees its
 * socket too.
 *
 * @module
 */

import { type Clock, type TimerHandle, writeAll } from "../common/mod.ts";

/** Where the front listens, its certificate, and how long a relay drains. */
export interface TlsFrontOptions {
  /** The public address. */
  hostname: string;
  /** The public port, 0 for any free one. */
  port: number;
  /** The certificate chain, PEM. */
  cert: string;
  /** Its private key, PEM. */
  key: string;
  /** Where the drain's bound is timed. */
  clock: Clock;
  /**
   * How long what the server wrote before it closed a connection may take
   * to reach a peer that does not read it.
   */
  drainMs: number;
}

/** Where the TLS listener behind the front listens: reached only through it. */
export const HOP_HOST = "127.0.0.1";
// A TLS record's header (type, version, length), and a handshake's type.
const RECORD_HEADER = 5;
const HANDSHAKE_RECORD = 0x16;
// What a relay reads at once toward the peer (a TLS record at most: a
// download's records go out whole), and from it (requests are short lines;
// an idle relay holds both).
const TO_PEER_CHUNK = 16 * 1024 + 512;
const FROM_PEER_CHUNK = 4 * 1024;

/** A TLS listener in front of a relay (see the module's comment). */
export class TlsFront {
  /** The public address. */
  readonly addr: Deno.NetAddr;
  readonly #public: Deno.TcpListener;
  readonly #behind: Deno.TlsListener;
  readonly #options: TlsFrontOptions;
  readonly #live = new Set<RelayedTlsConn>();

  private constructor(
    outer: Deno.TcpListener,
    behind: Deno.TlsListener,
    options: TlsFrontOptions,
  ) {
    this.#public = outer;
    this.#behind = behind;
    this.#options = options;
    this.addr = outer.addr;
  }

  /** Listens on the public address, and on loopback behind it. */
  static listen(options: TlsFrontOptions): TlsFront {
    const { hostname, port, cert, key } = options;
    const outer = Deno.listen({ hostname, port, transport: "tcp" });
    try {
      const behind = Deno.listenTls({ hostname: HOP_HOST, port: 0, cert, key });
      return new TlsFront(outer, behind, options);
    } catch (error) {
      outer.close();
      throw error;
    }
  }

  /**
   * Waits for the next peer, and returns its TLS connection, the
   * handshake not begun; errors are the public listener's, or what
   * stopped the hop (such as running out of descriptors).
   */
  async accept(): Promise<Deno.TlsConn> {
    const outer = await this.#public.accept();
    let hop: Deno.TcpConn | undefined;
    try {
      hop = await Deno.connect({
        hostname: HOP_HOST,
        port: this.#behind.addr.port,
      });
      const inner = await this.#innerOf(hop);
      const conn = new RelayedTlsConn(outer, hop, inner, this.#options);
      this.#live.add(conn);
      conn.relayed.then(() => this.#live.delete(conn));
      return conn;
    } catch (error) {
      outer.close();
      hop?.close();
      throw error;
    }
  }

  /**
   * Resolves once every relay has ended: what the server wrote before it
   * closed has reached the peer, or the drain's bound has passed.
   */
  async drained(): Promise<void> {
    while (this.#live.size > 0) {
      await Promise.all([...this.#live].map((conn) => conn.relayed));
    }
  }

  /** Stops listening, in front and behind, and ends every hold. */
  close(): void {
    this.#public.close();
    this.#behind.close();
    for (const conn of this.#live) conn.endHold();
  }

  async #innerOf(hop: Deno.TcpConn): Promise<Deno.TlsConn> {
    const { port } = hop.localAddr;
    for (;;) {
      const inner = await this.#behind.accept();
      if (inner.remoteAddr.port === port) return inner;
      // Not through the front: someone else on this machine.
      inner.close();
    }
  }
}

/**
 * A peer's TLS connection, read and written behind the relay; its
 * addresses are the public socket's.
 */
export class RelayedTlsConn implements Deno.TlsConn {
  /** Resolves once the relay has ended and its sockets are closed. */
  readonly relayed: Promise<void>;
  readonly #outer: Deno.TcpConn;
  readonly #hop: Deno.TcpConn;
  readonly #inner: Deno.TlsConn;
  readonly #options: TlsFrontOptions;
  // Whether the handshake has ended, either way.
  #settled = false;
  // Given up, the peer not told yet (see hold).
  #holding = false;
  // The peer's first record: its header, and how much of it has come.
  readonly #firstHeader = new Uint8Array(RECORD_HEADER);
  #firstCame = 0;
  #relayed = false;
  #drainTimer: TimerHandle | undefined;

  constructor(
    outer: Deno.TcpConn,
    hop: Deno.TcpConn,
    inner: Deno.TlsConn,
    options: TlsFrontOptions,
  ) {
    this.#outer = outer;
    this.#hop = hop;
    this.#inner = inner;
    this.#options = options;
    // Each relayed write is a record the peer waits for.
    outer.setNoDelay(true);
    hop.setNoDelay(true);
    this.relayed = Promise.all([
      this.#pump(
        outer,
        hop,
        FROM_PEER_CHUNK,
        (bytes) => this.#firstBytes(bytes),
      ),
      this.#pump(hop, outer, TO_PEER_CHUNK),
    ])
      .then(() => this.#closeRelay());
  }

  get localAddr(): Deno.NetAddr {
    return this.#outer.localAddr;
  }

  get remoteAddr(): Deno.NetAddr {
    return this.#outer.remoteAddr;
  }

  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#inner.readable;
  }

  get writable(): WritableStream<Uint8Array<ArrayBufferLike>> {
    return this.#inner.writable;
  }

  async handshake(): Promise<Deno.TlsHandshakeInfo> {
    try {
      return await this.#inner.handshake();
    } finally {
      // Done, or failed with an alert on its way to the peer.
      this.#settled = true;
    }
  }

  read(p: Uint8Array): Promise<number | null> {
    return this.#inner.read(p);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#inner.write(p);
  }

  closeWrite(): Promise<void> {
    return this.#inner.closeWrite();
  }

  /**
   * Closes the connection. While its handshake is under way (given up),
   * the relay closes at once; once it has ended, the relay ends when what
   * was written has reached the peer, or after the drain's bound.
   */
  close(): void {
    this.#inner.close();
    if (!this.#settled) this.#closeRelay();
    else if (!this.#relayed) {
      const { clock, drainMs } = this.#options;
      this.#drainTimer ??= clock.setTimer(() => this.#closeRelay(), drainMs);
    }
  }

  /**
   * Whether the peer has sent its first TLS record whole (or bytes that are
   * not TLS): an honest client sends its hello at once, a peer that
   * trickles it may never end it.
   */
  get helloCame(): boolean {
    if (this.#firstCame < RECORD_HEADER) return false;
    const header = this.#firstHeader;
    if (header[0] !== HANDSHAKE_RECORD) return true;
    return this.#firstCame >= RECORD_HEADER + (header[3] << 8 | header[4]);
  }

  /**
   * Gives the handshake up without the peer knowing for `ms`: the TLS
   * side and the hop close now, the peer's socket after `ms`, and what it
   * sends meanwhile is dropped. A peer pushed out for a newer handshake
   * cannot come straight back and push out the next.
   */
  hold(ms: number): void {
    if (this.#relayed) return;
    this.#holding = true;
    this.#inner.close();
    this.#hop.close();
    this.#drainTimer ??= this.#options.clock.setTimer(
      () => this.#closeRelay(),
      ms,
    );
  }

  /** Ends a hold at once (see {@linkcode hold}). */
  endHold(): void {
    if (this.#holding) this.#closeRelay();
  }

  ref(): void {
    this.#inner.ref();
  }

  unref(): void {
    this.#inner.unref();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Copies `from` to `to`, `size` bytes at most at once, each read seen by
   * `onRead` first; then ends `to`. On a failure, ends both, unless held
   * (see {@linkcode hold}): then what comes is dropped.
   */
  async #pump(
    from: Deno.TcpConn,
    to: Deno.TcpConn,
    size: number,
    onRead?: (bytes: Uint8Array) => void,
  ): Promise<void> {
    const chunk = new Uint8Array(size);
    try {
      for (let n; (n = await from.read(chunk)) !== null;) {
        onRead?.(chunk.subarray(0, n));
        if (!this.#holding) await writeAll(to, chunk.subarray(0, n));
      }
      await to.closeWrite();
    } catch {
      // Reset, or closed under it: nothing more goes either way.
      if (!this.#holding) this.#closeRelay();
    }
  }

  // Counts the peer's bytes into its first record (see helloCame).
  #firstBytes(bytes: Uint8Array): void {
    if (this.#settled) return;
    const header = bytes.subarray(0, RECORD_HEADER - this.#firstCame);
    if (header.length > 0) this.#firstHeader.set(header, this.#firstCame);
    this.#firstCame += bytes.length;
  }

  #closeRelay(): void {
    if (this.#relayed) return;
    this.#relayed = true;
    this.#options.clock.clearTimer(this.#drainTimer);
    this.#outer.close();
    if (!this.#holding) this.#hop.close(); // else closed already
  }
}
