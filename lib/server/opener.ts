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

/** How long an open may take, and how many given up on may be pending. */
export interface OpenLimit {
  /** Where the time comes from. */
  clock: Clock;
  /** Longest wait for a file to open. */
  timeoutMs: number;
  /** Most opens given up on that may still be pending at once. */
  maxStuck: number;
}

/** Thrown when too many opens given up on are still pending. */
export class OpensPendingError extends Error {
  /** Creates the error; its message is fit for a client. */
  constructor() {
    super("too many files are still opening on the server; try again later");
    this.name = "OpensPendingError";
  }
}

/** Opens files within a time limit, with a bound on those stuck. */
export class Opener {
  readonly #limit: OpenLimit;
  #stuck = 0;
  #unstuck: PromiseWithResolvers<void> | null = null;

  /** Creates an opener that keeps to `limit`. */
  constructor(limit: OpenLimit) {
    this.#limit = limit;
  }

  /** Opens given up on that have not ended yet. */
  get stuck(): number {
    return this.#stuck;
  }

  /** Resolves once no open given up on is pending. */
  unstuck(): Promise<void> {
    if (this.#stuck === 0) return Promise.resolve();
    this.#unstuck ??= Promise.withResolvers<void>();
    return this.#unstuck.promise;
  }

  /**
   * Opens `path` for reading, giving up after the time limit, or when
   * `signal` aborts (with its reason). An open given up on is closed if it
   * ever finishes.
   *
   * @throws {Deno.errors.TimedOut} when the time limit passes.
   * @throws {OpensPendingError} when too many opens given up on are still
   * pending.
   */
  async open(path: string, signal?: AbortSignal): Promise<Deno.FsFile> {
    const { clock, timeoutMs, maxStuck } = this.#limit;
    signal?.throwIfAborted();
    if (this.#stuck >= maxStuck) throw new OpensPendingError();
    const opening = Deno.open(path, { read: true });
    let ended = false;
    opening.then(() => ended = true, () => ended = true);
    const giveUp = Promise.withResolvers<never>();
    const timer = clock.setTimer(
      () => giveUp.reject(new Deno.errors.TimedOut("it did not open in time")),
      timeoutMs,
    );
    const onAbort = () => giveUp.reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.race([opening, giveUp.promise]);
    } catch (error) {
      if (!ended) this.#giveUp(opening);
      throw error;
    } finally {
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Counts `opening` as stuck until it ends, and closes what it opens. */
  #giveUp(opening: Promise<Deno.FsFile>): void {
    this.#stuck++;
    opening.then((file) => file.close(), () => {}).finally(() => {
      if (--this.#stuck > 0) return;
      this.#unstuck?.resolve();
      this.#unstuck = null;
    });
  }
}
