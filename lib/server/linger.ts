/**
 * Lingering close, as nginx and Apache do it: a socket closed while the
 * peer's bytes wait unread makes the kernel send a reset, and a reset
 * discards the replies the peer has not read yet. So the server half-closes
 * (the last reply is followed by a clean end of stream), reads and drops
 * what still comes for a bounded time (the caller's), and only then
 * closes. The bound is time, as nginx's `lingering_time`, not bytes: a
 * client that sent megabytes after its last request still gets its reply.
 * The sockets lingering at once are bounded too: past the bound one closes
 * at once, as does one whose peer never sent a byte (nothing of its can
 * be unread).
 *
 * @module
 */

// Shared by every lingering socket: what is read into it is never looked at.
const drain = new Uint8Array(16 * 1024);

/** The places for sockets lingering at once. */
export class LingerPlaces {
  readonly #max: number;
  #taken = 0;

  /** Room for `max` at once. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a place, if one is free. */
  take(): boolean {
    if (this.#taken >= this.#max) return false;
    this.#taken++;
    return true;
  }

  /** Gives back a place taken. */
  release(): void {
    this.#taken--;
  }
}

/**
 * Half-closes `conn`, drops its incoming bytes until the peer ends its
 * side, then calls `close`; with no place free in `places`, calls it at
 * once. The caller bounds the time: calling `close` from a timer ends the
 * wait.
 */
export async function lingerThenClose(
  conn: Deno.Conn,
  close: () => void,
  { places, writeClosed = false }: {
    places: LingerPlaces;
    writeClosed?: boolean;
  },
): Promise<void> {
  if (!places.take()) {
    close();
    return;
  }
  try {
    if (!writeClosed) await conn.closeWrite();
    while (await conn.read(drain) !== null) {
      // Dropped.
    }
  } catch {
    // Reset by the peer, or closed by the caller's timer: nothing to wait for.
  } finally {
    places.release();
    close();
  }
}
