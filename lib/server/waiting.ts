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

/** A newcomer in the room, and what hands it a slot. */
interface Waiter {
  granted: PromiseWithResolvers<void>;
  hasSlot: boolean;
  // When it came in, on the room's clock, and in which turn.
  since: number;
  turn: number;
}

/**
 * The newcomers to a full server, at most {@linkcode MAX_WAITING} and one
 * at the door, in order of arrival, and which of them spoke: a slot that
 * frees is handed to one of them, those that spoke first (in the order
 * they spoke), then the one waiting longest.
 *
 * One more in a full room pushes out one that has not spoken: the one
 * waiting longest, once its grace is over (its first line may be on its
 * way); else, of those that came in at least as many turns ago as the room
 * holds (see {@linkcode WaitingRoom.needsTurn}), the latest. Else it waits
 * at the door until its first read is back (see
 * {@linkcode WaitingRoom.openDoor}): with a line, it takes the place of
 * the silent one waiting longest; without, it is turned away. So a client
 * slow to speak outlasts as many newcomers as the room holds, however fast
 * they come, and a burst turns away its own silent ones; and a client that
 * speaks at once is never pushed out, nor turned away while one in the
 * room is silent, at any rate of newcomers.
 */
export class WaitingRoom {
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #waiting = new Map<ClientConnection, Waiter>();
  // Insertion order is the order they spoke in.
  readonly #speakers = new Set<ClientConnection>();
  // Sockets' turns so far, and the turn in which the last one came in.
  #turn = 0;
  #lastCameIn = -1;
  #door: ClientConnection | undefined;

  /** A room timed on `clock`, where a newcomer has `graceMs` to speak. */
  constructor({ clock, graceMs }: { clock: Clock; graceMs: number }) {
    this.#clock = clock;
    this.#graceMs = graceMs;
  }

  /** Whether no one waits. */
  get isEmpty(): boolean {
    return this.#waiting.size === 0;
  }

  /** Everyone in the room. */
  [Symbol.iterator](): IterableIterator<ClientConnection> {
    return this.#waiting.keys();
  }

  /**
   * Lets `connection` in; in a full room, one leaves at once, or it waits
   * at the door (see the class's comment; one that spoke only when all
   * have, the one waiting longest). One already handed a slot stays.
   *
   * @returns the one to turn away (`connection` itself when no one may
   * leave for it and the door is taken), if any.
   */
  enter(connection: ClientConnection): ClientConnection | undefined {
    let left: ClientConnection | undefined;
    this.#lastCameIn = this.#turn;
    if (this.#waiting.size >= MAX_WAITING) {
      left = this.#nextToLeave();
      if (left !== undefined) this.leave(left);
      else if (this.#door === undefined) this.#door = connection;
      else return connection;
    }
    this.#waiting.set(connection, {
      granted: Promise.withResolvers<void>(),
      hasSlot: false,
      since: this.#clock.now(),
      turn: this.#turn,
    });
    return left;
  }

  /** The newcomer at the door, if any (see {@linkcode openDoor}). */
  get door(): ClientConnection | undefined {
    return this.#door;
  }

  /**
   * Decides on `door`, the newcomer at the door, once its first read is
   * back or its time is up: a turn, for every socket. It stays if it has a
   * slot, or if the room has made space meanwhile; else, if it `spoke`, one
   * leaves for it (as for any newcomer, else the silent one waiting
   * longest); else it leaves itself.
   *
   * @returns the one to turn away, if any.
   */
  openDoor(
    door: ClientConnection,
    spoke: boolean,
  ): ClientConnection | undefined {
    this.turned();
    if (door !== this.#door) return undefined; // it left
    this.#door = undefined;
    if (
      this.#waiting.get(door)?.hasSlot !== false ||
      this.#waiting.size <= MAX_WAITING
    ) return undefined;
    const left = (spoke ? this.#nextToLeave(door) : undefined) ?? door;
    this.leave(left);
    return left;
  }

  /**
   * Whether sockets need a turn (see {@linkcode turned}) before the next
   * comes in: the room is full, and one came in (or was turned away) since
   * the last turn. Of those, what was sent may be there unread (accepts
   * run ahead of reads), and one reset may not have left yet; after a
   * turn, the ones that spoke are known and the ones gone have left (on a
   * busy server, not all of them: the door waits for its own read), so the
   * next pushes out only one that had its chance. The turns also time how
   * long a newcomer has had to speak, in newcomers after it.
   */
  needsTurn(): boolean {
    return this.#waiting.size >= MAX_WAITING && this.#lastCameIn === this.#turn;
  }

  /** Records that sockets have had a turn since the last came in. */
  turned(): void {
    this.#turn++;
  }

  /**
   * Who leaves for one more: see the class's comment. For `speaker`, one
   * at the door that spoke, any silent one may.
   */
  #nextToLeave(speaker?: ClientConnection): ClientConnection | undefined {
    const graceOver = this.#clock.now() - this.#graceMs;
    const turnsOver = this.#turn - MAX_WAITING;
    let silent: ClientConnection | undefined;
    let latest: ClientConnection | undefined;
    let spoke: ClientConnection | undefined;
    for (const [connection, waiter] of this.#waiting) {
      if (waiter.hasSlot || connection === speaker) continue;
      if (this.#speakers.has(connection)) {
        spoke ??= connection;
        continue;
      }
      if (waiter.since <= graceOver) return connection;
      silent ??= connection;
      if (waiter.turn <= turnsOver) latest = connection;
    }
    if (silent === undefined) return spoke;
    return latest ?? (speaker === undefined ? undefined : silent);
  }

  /** Resolves when `connection` is handed a slot (never, if it is not here). */
  granted(connection: ClientConnection): Promise<void> {
    return this.#waiting.get(connection)?.granted.promise ??
      new Promise(() => {});
  }

  /** Whether `connection` has been handed a slot. */
  hasSlot(connection: ClientConnection): boolean {
    return this.#waiting.get(connection)?.hasSlot ?? false;
  }

  /** Marks `connection` as one that spoke. */
  spoke(connection: ClientConnection): void {
    if (this.#waiting.has(connection)) this.#speakers.add(connection);
  }

  /**
   * Hands a slot to `connection`, or to the next in turn: the first that
   * spoke, else the one waiting longest (not one stopping).
   *
   * @returns the one handed the slot, if any.
   */
  grant(connection?: ClientConnection): ClientConnection | undefined {
    const next = connection ?? this.#nextInTurn();
    const waiter = next === undefined ? undefined : this.#waiting.get(next);
    if (next === undefined || waiter === undefined || waiter.hasSlot) {
      return undefined;
    }
    waiter.hasSlot = true;
    waiter.granted.resolve();
    return next;
  }

  #nextInTurn(): ClientConnection | undefined {
    const free = (c: ClientConnection) =>
      c.stopReason === null && this.#waiting.get(c)?.hasSlot === false;
    for (const c of this.#speakers) if (free(c)) return c;
    for (const c of this.#waiting.keys()) if (free(c)) return c;
    return undefined;
  }

  /**
   * Takes `connection` out of the room.
   *
   * @returns whether it had been handed a slot.
   */
  leave(connection: ClientConnection): boolean {
    if (connection === this.#door) this.#door = undefined;
    const hadSlot = this.#waiting.get(connection)?.hasSlot ?? false;
    this.#waiting.delete(connection);
    this.#speakers.delete(connection);
    return hadSlot;
  }
}

/**
 * Reads until a complete line is buffered (`"spoke"`), `timeoutMs` passes
 * (`"silent"`), a slot is `"granted"`, or the client leaves, sends too
 * long a line or is stopped (`"gone"`). Unless it spoke, a read is still
 * under way; the session takes it over.
 */
export async function firstLine(
  connection: ClientConnection,
  clock: Clock,
  timeoutMs: number,
  granted: Promise<void>,
): Promise<"spoke" | "silent" | "gone" | "granted"> {
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
        granted.then((): "granted" => "granted"),
      ]);
      if (typeof result === "string") return result;
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
