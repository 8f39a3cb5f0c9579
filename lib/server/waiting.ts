/**
 * Newcomers not (yet) admitted: the room where they wait for a slot,
 * waiting for the first line of one, and turning one away with its reply.
 *
 * @module
 */

import { type Clock, type TimerHandle, writeAll } from "../common/mod.ts";
import { type CloseReason, ReplyWriter } from "../wire/mod.ts";
import type { ClientConnection } from "./connection.ts";
import { MAX_WAITING } from "./config.ts";
import { type LingerPlaces, lingerThenClose } from "./linger.ts";

/**
 * The newcomers to a full server, at most {@linkcode MAX_WAITING}, and
 * which of them spoke and wait for a slot: a slot that frees is theirs
 * first.
 */
export class WaitingRoom {
  readonly #waiting = new Set<ClientConnection>();
  readonly #speakers = new Set<ClientConnection>();

  /** Whether a newcomer that spoke waits for a slot. */
  get hasSpeakers(): boolean {
    return this.#speakers.size > 0;
  }

  /** Everyone in the room. */
  [Symbol.iterator](): IterableIterator<ClientConnection> {
    return this.#waiting.values();
  }

  /**
   * Lets `connection` in; in a full room, the one waiting longest that has
   * not spoken (one that spoke only when all have) leaves at once, so the
   * next one in pushes out the next.
   *
   * @returns the one that left to make room, if any.
   */
  enter(connection: ClientConnection): ClientConnection | undefined {
    let left: ClientConnection | undefined;
    if (this.#waiting.size >= MAX_WAITING) {
      const waiting = [...this.#waiting];
      left = waiting.find((w) => !this.#speakers.has(w)) ?? waiting[0];
      this.leave(left);
    }
    this.#waiting.add(connection);
    return left;
  }

  /** Marks `connection` as one that spoke and waits for a slot, or not. */
  speaking(connection: ClientConnection, speaks: boolean): void {
    if (speaks) this.#speakers.add(connection);
    else this.#speakers.delete(connection);
  }

  /** Takes `connection` out of the room. */
  leave(connection: ClientConnection): void {
    this.#waiting.delete(connection);
    this.#speakers.delete(connection);
  }
}

/**
 * Reads until a complete line is buffered (`"spoke"`), `timeoutMs` passes
 * (`"silent"`), or the client leaves, sends too long a line or is stopped
 * (`"gone"`). After `"silent"` a read is still under way; the session
 * takes it over.
 */
export async function firstLine(
  connection: ClientConnection,
  clock: Clock,
  timeoutMs: number,
): Promise<"spoke" | "silent" | "gone"> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<"silent">((resolve) => {
    timer = clock.setTimer(() => resolve("silent"), timeoutMs);
  });
  // Pushed out of the waiting room: it goes at once, not when it sends.
  const { signal } = connection;
  let onStop: (() => void) | undefined;
  const stopped = new Promise<"gone">((resolve) => {
    onStop = () => resolve("gone");
    signal.addEventListener("abort", onStop, { once: true });
  });
  try {
    while (!connection.lines.hasLine()) {
      if (signal.aborted) return "gone";
      const result = await Promise.race([
        connection.readAhead(),
        timeout,
        stopped,
      ]);
      if (result === "silent" || result === "gone") return result;
      if (!result) return "gone";
    }
    return "spoke";
  } catch {
    return "gone";
  } finally {
    clock.clearTimer(timer);
    if (onStop !== undefined) signal.removeEventListener("abort", onStop);
  }
}

/** The bytes of the `421` that closes a connection for `reason`. */
export function closingReply(reason: CloseReason): Uint8Array {
  const out = new ReplyWriter();
  out.closing(reason);
  return out.bytes().slice();
}

/**
 * Writes `reply` to a connection never admitted, and closes it once the
 * peer has read it, or after `graceMs` whatever it does.
 */
export function turnAway(
  conn: Deno.Conn<Deno.NetAddr>,
  reply: Uint8Array,
  { clock, graceMs, lingering }: {
    clock: Clock;
    graceMs: number;
    lingering: LingerPlaces;
  },
): Promise<void> {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clock.clearTimer(timer);
    conn.close();
  };
  const timer = clock.setTimer(close, graceMs);
  return writeAll(conn, reply).then(
    () => lingerThenClose(conn, close, { places: lingering }),
    close,
  );
}
