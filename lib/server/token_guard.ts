/**
 * Judges the tokens clients give, keeping guessing slow everywhere: each
 * source address pays for its wrong tokens, more each time (sshd's
 * per-source penalties are the model): until its penalty is over, its
 * tokens are not judged at all, only answered with how long it has left.
 * And the whole server judges no more than a few tokens a second, however
 * many connections or addresses ask; addresses with no wrong token on
 * record go first. A right token is judged by the same clock as a wrong
 * one, and the answer comes as soon as it is made, so a guesser learns
 * nothing by giving up early.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../common/mod.ts";
import type { Token } from "./access.ts";
import {
  MAX_TOKEN_SOURCES,
  type Timings,
  TOKEN_JUDGMENT_BURST,
  TOKEN_JUDGMENTS_PER_SECOND,
} from "./config.ts";

/** What became of a token given. */
export type Verdict =
  /** The right one. */
  | { kind: "right" }
  /** A wrong one; the address's next is judged no sooner than `nextWaitMs` from now. */
  | { kind: "wrong"; nextWaitMs: number }
  /** Not judged: the address's penalty has `waitMs` to run. */
  | { kind: "later"; waitMs: number };

/** The timings a guard keeps. */
export type GuardTimings = Pick<
  Timings,
  "tokenPenaltyMs" | "tokenPenaltyMaxMs" | "tokenMemoryMs"
>;

interface Source {
  failures: number;
  lastFailure: number;
  lastUse: number;
}

/** Judges tokens for one server. */
export class TokenGuard {
  readonly #token: Token;
  readonly #clock: Clock;
  readonly #timings: GuardTimings;
  // In order of last use: the first is the one unused longest.
  readonly #sources = new Map<string, Source>();
  readonly #budget: Budget;

  /** A guard for `token`, timed by `clock`. */
  constructor(token: Token, clock: Clock, timings: GuardTimings) {
    this.#token = token;
    this.#clock = clock;
    this.#timings = timings;
    this.#budget = new Budget(clock);
  }

  /**
   * Judges `candidate`, given from the address `source`, once the server's
   * budget has room; not at all while the address's penalty runs.
   *
   * @returns the verdict, or `null` when `signal` aborted the wait.
   */
  async judge(
    source: string,
    candidate: string,
    signal: AbortSignal,
  ): Promise<Verdict | null> {
    const entry = this.#enter(source);
    const early = this.#penaltyLeft(entry);
    if (early !== null) return early;
    if (!await this.#budget.take(entry.failures === 0, signal)) return null;
    // Another connection from the address may have failed meanwhile.
    return this.#penaltyLeft(entry) ?? this.#verdict(entry, candidate);
  }

  #penaltyLeft(entry: Source): Verdict | null {
    const waitMs = this.#penaltyEnd(entry) - this.#clock.now();
    return waitMs > 0 ? { kind: "later", waitMs } : null;
  }

  #verdict(entry: Source, candidate: string): Verdict {
    if (this.#token.matches(candidate)) {
      entry.failures = 0;
      return { kind: "right" };
    }
    entry.failures++;
    entry.lastFailure = this.#clock.now();
    return { kind: "wrong", nextWaitMs: this.#penalty(entry.failures) };
  }

  /** What the `failures`th wrong token in a row costs its source. */
  #penalty(failures: number): number {
    const { tokenPenaltyMs, tokenPenaltyMaxMs } = this.#timings;
    return Math.min(tokenPenaltyMs * 2 ** (failures - 1), tokenPenaltyMaxMs);
  }

  #penaltyEnd(entry: Source): number {
    return entry.failures === 0
      ? -Infinity
      : entry.lastFailure + this.#penalty(entry.failures);
  }

  /**
   * The record of `source`, made if new and moved to the end; records
   * unused for the memory time are forgotten (their wrong tokens with
   * them), and the one unused longest when there are too many.
   */
  #enter(source: string): Source {
    const now = this.#clock.now();
    const { tokenMemoryMs } = this.#timings;
    for (const [key, entry] of this.#sources) {
      const stale = now - entry.lastUse >= tokenMemoryMs;
      if (!stale && this.#sources.size < MAX_TOKEN_SOURCES) break;
      this.#sources.delete(key);
    }
    const entry = this.#sources.get(source) ?? {
      failures: 0,
      lastFailure: -Infinity,
      lastUse: now,
    };
    this.#sources.delete(source);
    entry.lastUse = now;
    this.#sources.set(source, entry);
    return entry;
  }
}

// One judgment's worth of credit, less what adding up fractions loses.
const WHOLE = 1 - 1e-9;

/**
 * The server's budget of judgments: a burst at once, then
 * {@linkcode TOKEN_JUDGMENTS_PER_SECOND}; those waiting are let through
 * clean sources first, each kind in order of asking.
 */

class Budget {
  readonly #clock: Clock;
  #credits = TOKEN_JUDGMENT_BURST;
  #refilled: number;
  readonly #waiting: Record<"clean" | "dirty", (() => void)[]> = {
    clean: [],
    dirty: [],
  };
  #timer: TimerHandle | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#refilled = clock.now();
  }

  /**
   * Waits for a judgment's place in the budget.
   *
   * @returns `false` when `signal` aborted the wait.
   */
  async take(clean: boolean, signal: AbortSignal): Promise<boolean> {
    this.#refill();
    const { clean: first, dirty: second } = this.#waiting;
    if (this.#credits >= WHOLE && first.length + second.length === 0) {
      this.#credits--;
      return true;
    }
    const queue = clean ? first : second;
    const { promise, resolve } = Promise.withResolvers<void>();
    queue.push(resolve);
    this.#schedule();
    await Promise.race([promise, aborted(signal)]);
    const at = queue.indexOf(resolve);
    if (at === -1) return true;
    queue.splice(at, 1);
    return false;
  }

  #refill(): void {
    const now = this.#clock.now();
    const earned = (now - this.#refilled) * TOKEN_JUDGMENTS_PER_SECOND / 1000;
    this.#credits = Math.min(TOKEN_JUDGMENT_BURST, this.#credits + earned);
    this.#refilled = now;
  }

  /** Sets the timer for when the next one waiting may go. */
  #schedule(): void {
    if (this.#timer !== undefined) return;
    const ms = (1 - this.#credits) * 1000 / TOKEN_JUDGMENTS_PER_SECOND;
    this.#timer = this.#clock.setTimer(this.#release, Math.max(0, ms));
  }

  #release = (): void => {
    this.#timer = undefined;
    this.#refill();
    const { clean, dirty } = this.#waiting;
    while (this.#credits >= WHOLE) {
      const next = clean.shift() ?? dirty.shift();
      if (next === undefined) return;
      this.#credits--;
      next();
    }
    if (clean.length + dirty.length > 0) this.#schedule();
  };
}

/** Settles when `signal` aborts (never, if it does not). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
