/**
 * Opening served files, never waiting forever: an open that does not
 * finish in time is given up (a FIFO blocks until a writer comes), and
 * only so many given up may still be pending at once, since each holds
 * one of the runtime's blocking threads: past that, the server refuses to
 * open more until they end, rather than run out of threads for everyone.
 *
 * @module
 */

import type { Clock } from "../common/mod.ts";

/** How long an open may take, and how many may be pending. */
export interface OpenLimit {
  /** Where the time comes from. */
  clock: Clock;
  /** Longest wait for a file to open. */
  timeoutMs: number;
  /** Most opens pending at once, given up or not. */
  maxPending: number;
}

/** Thrown when too many opens are still pending to start one more. */
export class OpensPendingError extends Error {
  /** Creates the error; its message is fit for a client. */
  constructor() {
    super("too many files are still opening on the server; try again later");
    this.name = "OpensPendingError";
  }
}

/** Opens files within a time limit, with a bound on those pending. */
export class Opener {
  readonly #limit: OpenLimit;
  #pending = 0;
  #idle: PromiseWithResolvers<void> | null = null;

  /** Creates an opener that keeps to `limit`. */
  constructor(limit: OpenLimit) {
    this.#limit = limit;
  }

  /** Opens not finished yet, those given up on included. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once no open is pending. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers<void>();
    return this.#idle.promise;
  }

  /**
   * Opens `path` for reading, giving up after the time limit or when
   * `signal` aborts. An open given up on is closed if it ever finishes.
   *
   * @throws {Deno.errors.TimedOut} when it gives up.
   * @throws {OpensPendingError} when too many opens are pending already.
   */
  async open(path: string, signal?: AbortSignal): Promise<Deno.FsFile> {
    const { clock, timeoutMs, maxPending } = this.#limit;
    if (this.#pending >= maxPending) throw new OpensPendingError();
    this.#pending++;
    const opening = Deno.open(path, { read: true }).finally(() => {
      if (--this.#pending > 0) return;
      this.#idle?.resolve();
      this.#idle = null;
    });
    const giveUp = Promise.withResolvers<never>();
    const onAbort = () =>
      giveUp.reject(new Deno.errors.TimedOut("it did not open in time"));
    const timer = clock.setTimer(onAbort, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.race([opening, giveUp.promise]);
    } catch (error) {
      opening.then((file) => file.close(), () => {});
      throw error;
    } finally {
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
