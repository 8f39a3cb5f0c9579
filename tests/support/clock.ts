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
  readonly #waiters: { ms: number; resolve: () => void }[] = [];
  readonly #epoch: number;

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
    for (const waiter of this.#waiters.filter((w) => w.ms === ms)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return handle;
  }

  /**
   * Resolves once a timer of `ms` is pending: the code under test has
   * come as far as to wait that long (bounded, as every wait in a test).
   */
  waitForTimer(ms: number): Promise<void> {
    for (const timer of this.#timers.values()) {
      if (timer.ms === ms) return Promise.resolve();
    }
    return within(
      new Promise((resolve) => this.#waiters.push({ ms, resolve })),
      `a timer of ${ms} ms`,
    );
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#timers.delete(handle);
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
