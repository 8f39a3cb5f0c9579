/**
 * The idle watch: when a client that makes no request is closed, and when
 * to look again; and the one timer a server keeps for all its clients.
 *
 * A client that reads slowly is woken for only when a good part of the
 * socket's send buffer has drained, which at a slow but steady pace can
 * take longer than a short idle timeout: while a reply is under way, the
 * client gets the longer stall limit instead.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../common/mod.ts";
import type { CloseReason } from "../wire/mod.ts";
import type { Timings } from "./config.ts";

/** Look again in `ms`, or stop the client for `reason`. */
export type IdleVerdict =
  | { kind: "again"; ms: number }
  | { kind: "stop"; reason: CloseReason };

/**
 * What to do with a client idle for `idleFor` ms, `writing` a reply or
 * not, under `timings` (an idle timeout above 0).
 */
export function idleVerdict(
  idleFor: number,
  writing: boolean,
  { idleMs, stallMs }: Pick<Timings, "idleMs" | "stallMs">,
): IdleVerdict {
  const limit = writing ? Math.max(idleMs, stallMs) : idleMs;
  if (idleFor < limit) {
    return { kind: "again", ms: Math.min(limit - idleFor, idleMs) };
  }
  return {
    kind: "stop",
    reason: writing
      ? { kind: "stalled", stallMs: limit }
      : { kind: "idle", timeoutMs: limit },
  };
}

/** A connection the {@linkcode IdleSweep} watches. */
export interface Watched {
  /**
   * Looks at the connection at `now` (stopping it if it is idle too long).
   *
   * @returns in how many ms to look again, or `null` to stop watching.
   */
  checkIdle(now: number): number | null;
}

/**
 * The idle watch of a whole server: one timer, set for the earliest moment
 * any watched connection may be due, which then looks at them all. A
 * pending timer costs the heap about 0.7 KiB, so a timer per idle
 * connection would be a good part of what the connection costs.
 */
export class IdleSweep {
  readonly #clock: Clock;
  readonly #watched = new Set<Watched>();
  #timer: TimerHandle | undefined;
  #due = Infinity;

  /** A sweep on `clock`. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Watches `connection`, looking at it in `ms` at the latest. */
  watch(connection: Watched, ms: number): void {
    this.#watched.add(connection);
    this.#arm(this.#clock.now() + ms);
  }

  /** Stops watching `connection`; the timer goes with the last one. */
  unwatch(connection: Watched): void {
    if (!this.#watched.delete(connection) || this.#watched.size > 0) return;
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#due = Infinity;
  }

  /** How many connections are watched. */
  get size(): number {
    return this.#watched.size;
  }

  #arm(at: number): void {
    if (at >= this.#due) return;
    this.#clock.clearTimer(this.#timer);
    this.#due = at;
    this.#timer = this.#clock.setTimer(
      this.#sweep,
      Math.max(0, at - this.#clock.now()),
    );
  }

  #sweep = (): void => {
    this.#timer = undefined;
    this.#due = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const connection of this.#watched) {
      const ms = connection.checkIdle(now);
      if (ms === null) this.#watched.delete(connection);
      else next = Math.min(next, ms);
    }
    if (next < Infinity) this.#arm(now + next);
  };
}
