/**
 * A clock the test moves by hand, as std's `FakeTime` does, but passed in
 * rather than patched over the globals: only the code under test sees it,
 * while the test's own bounded waits keep the real time.
 *
 * @module
 */

import { type Clock, sleepOn, type TimerHandle } from "../../lib/common/mod.ts";
import { within } from "../../tools/wait.ts";

interface Timer {
  at: number;
  ms: number;
  callback: () => void;
}

/** A {@linkcode Clock} that stands still until {@linkcode advance}d. */
export class ManualClock implements Clock {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<TimerHandle, Timer>();
  readonly #waiters: { ms: number; count: number; resolve: () => void }[] = [];
  readonly #epoch: number;
  // How many timers of each length were cleared before they fired.
  readonly #cleared = new Map<number, number>();
  readonly #clearWaiters: {
    ms: number;
    count: number;
    resolve: () => void;
  }[] = [];

  /** Starts at `start` on the wall clock (default: now). */
  constructor(start: Date = new Date()) {
    this.#epoch = start.getTime();
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  now(): number {
    return this.#now;
  }

  date(): Date {
    return new Date(this.#epoch + this.#now);
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    const handle = this.#next++;
    this.#timers.set(handle, { at: this.#now + Math.max(0, ms), ms, callback });
    for (const waiter of [...this.#waiters]) {
      if (waiter.ms === ms && this.#count(ms) >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    return handle;
  }

  /**
   * Resolves once `count` timers of `ms` are pending (one by default): the
   * code under test has come as far as to wait that long (bounded, as
   * every wait in a test).
   */
  waitForTimer(ms: number, count = 1): Promise<void> {
    if (this.#count(ms) >= count) return Promise.resolve();
    return within(
      new Promise((resolve) => this.#waiters.push({ ms, count, resolve })),
      `${count === 1 ? "a timer" : `${count} timers`} of ${ms} ms`,
    );
  }

  #count(ms: number): number {
    let count = 0;
    for (const timer of this.#timers.values()) if (timer.ms === ms) count++;
    return count;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    const timer = handle === undefined ? undefined : this.#timers.get(handle);
    if (handle === undefined || timer === undefined) return;
    this.#timers.delete(handle);
    const cleared = (this.#cleared.get(timer.ms) ?? 0) + 1;
    this.#cleared.set(timer.ms, cleared);
    for (const waiter of [...this.#clearWaiters]) {
      if (waiter.ms === timer.ms && cleared >= waiter.count) {
        this.#clearWaiters.splice(this.#clearWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /**
   * Resolves once `count` timers of `ms` have been cleared before they
   * fired, counting from the start: the code under test stopped waiting
   * for something because it came (bounded).
   */
  waitForCleared(ms: number, count = 1): Promise<void> {
    if ((this.#cleared.get(ms) ?? 0) >= count) return Promise.resolve();
    return within(
      new Promise((resolve) => this.#clearWaiters.push({ ms, count, resolve })),
      `${count} cleared timer${count === 1 ? "" : "s"} of ${ms} ms`,
    );
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /**
   * Moves time on by `ms`, firing every timer that falls due on the way,
   * in order, each at its own time, and then letting what they started
   * run as far as it can without I/O.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let due: [TimerHandle, Timer] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) {
          due = entry;
        }
      }
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets promise callbacks and one turn of the event loop run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
