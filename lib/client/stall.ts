/**
 * When to give up on a server: a reply line that does not complete within
 * the timeout (bytes that trickle in do not count), and a download slower
 * than a floor for long enough (as curl's `--speed-limit` and
 * `--speed-time`).
 *
 * @module
 */

import { type Clock, formatBytes, type TimerHandle } from "../common/mod.ts";

/** The limits a {@linkcode StallWatch} applies. */
export interface StallLimits {
  /** A reply line, or download bytes, must come within this; 0 never. */
  replyTimeoutMs: number;
  /** Slowest download, in bytes a second; 0 for no floor. */
  speedLimit: number;
  /** How long a download may stay under the floor. */
  speedTimeMs: number;
  /** Where the time comes from. */
  clock: Clock;
}

/** What the watch looks at on each check. */
export interface StallProbe {
  /** Whether a reply is awaited. */
  busy(): boolean;
  /** Whether raw download bytes are being read. */
  inPayload(): boolean;
  /** Complete reply lines read so far. */
  lines(): number;
  /** Bytes read so far. */
  bytes(): number;
}

/**
 * Checks a few times per timeout, while a reply is awaited, that the server
 * makes progress; calls `onStall` with the reason when it does not.
 */
export class StallWatch {
  readonly #limits: StallLimits;
  readonly #probe: StallProbe;
  readonly #onStall: (reason: string) => void;
  #timer: TimerHandle | undefined;
  #lastProgress = 0;
  #lines = 0;
  #bytes = 0;
  #windowStart = 0;
  #windowBytes = 0;

  /** Creates a watch; {@linkcode arm} starts it. */
  constructor(
    limits: StallLimits,
    probe: StallProbe,
    onStall: (reason: string) => void,
  ) {
    this.#limits = limits;
    this.#probe = probe;
    this.#onStall = onStall;
  }

  /** Starts watching, if it is not already and a timeout is set. */
  arm(): void {
    if (this.#timer !== undefined || this.#limits.replyTimeoutMs <= 0) return;
    const now = this.#limits.clock.now();
    this.#lastProgress = this.#windowStart = now;
    this.#lines = this.#probe.lines();
    this.#bytes = this.#windowBytes = this.#probe.bytes();
    this.#schedule();
  }

  /** Stops watching. */
  stop(): void {
    this.#limits.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const { replyTimeoutMs, speedLimit, speedTimeMs, clock } = this.#limits;
    const span = speedLimit > 0
      ? Math.min(replyTimeoutMs, speedTimeMs)
      : replyTimeoutMs;
    this.#timer = clock.setTimer(this.#check, span / 4);
  }

  #check = (): void => {
    this.#timer = undefined;
    const probe = this.#probe;
    if (!probe.busy()) return;
    const now = this.#limits.clock.now();
    const inPayload = probe.inPayload();
    const lines = probe.lines();
    const bytes = probe.bytes();
    if (lines !== this.#lines || (inPayload && bytes !== this.#bytes)) {
      this.#lastProgress = now;
    }
    this.#lines = lines;
    this.#bytes = bytes;
    const { replyTimeoutMs, speedLimit, speedTimeMs } = this.#limits;
    if (now - this.#lastProgress >= replyTimeoutMs) {
      return this.#onStall(
        `No reply from the server for ${replyTimeoutMs / 1000} s`,
      );
    }
    if (!inPayload) {
      this.#windowStart = now;
      this.#windowBytes = bytes;
    } else if (now - this.#windowStart >= speedTimeMs) {
      const rate = (bytes - this.#windowBytes) /
        ((now - this.#windowStart) / 1000);
      if (speedLimit > 0 && rate < speedLimit) {
        return this.#onStall(
          `Download slower than ${formatBytes(speedLimit)}/s for ${
            speedTimeMs / 1000
          } s (see --speed-limit)`,
        );
      }
      this.#windowStart = now;
      this.#windowBytes = bytes;
    }
    this.#schedule();
  };
}
