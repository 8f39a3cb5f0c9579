/**
 * Time, injected: every deadline, grace and duration the programs keep is
 * read and set through a {@linkcode Clock}, so tests can pass one they move
 * by hand instead of waiting.
 *
 * @module
 */

/** A timer set with {@linkcode Clock.setTimer}. */
export type TimerHandle = number;

/** Where the programs get the time from. */
export interface Clock {
  /** Milliseconds on a clock that never goes back: for durations and deadlines. */
  now(): number;
  /** The wall clock: for the times people see. */
  date(): Date;
  /** Calls `callback` once, `ms` from now. */
  setTimer(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; one that fired or was never set is ignored. */
  clearTimer(handle: TimerHandle | undefined): void;
  /** Resolves `ms` from now, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A `sleep` made of a clock's own timers: resolves after `ms`, or as soon
 * as `signal` aborts, leaving no timer or listener behind.
 */
export function sleepOn(
  clock: Pick<Clock, "setTimer" | "clearTimer">,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The clock of the machine. */
export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  // A number in Deno; Node's types, which the node: modules bring in, say
  // an object that converts to one.
  setTimer: (callback, ms) => Number(setTimeout(callback, ms)),
  clearTimer: (handle) => clearTimeout(handle),
  sleep: (ms, signal) => sleepOn(SYSTEM_CLOCK, ms, signal),
};
