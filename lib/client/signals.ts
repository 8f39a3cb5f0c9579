/**
 * Stop signals while the client works: the first SIGINT or SIGTERM closes
 * the session (a download under way then fails and removes its partial
 * file), and the exit code says which signal it was.
 *
 * @module
 */

import { STOP_SIGNALS } from "../common/mod.ts";

/** Exit codes after a signal: 128 plus the signal's number, as shells do. */
export const SIGNAL_EXIT_CODES: Partial<Record<Deno.Signal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
};

/** Listens for the stop signals until disposed of. */
export class StopSignals implements Disposable {
  #stoppedBy: Deno.Signal | null = null;
  readonly #listeners: { signal: Deno.Signal; listener: () => void }[];

  /** Calls `stop` on the first stop signal. */
  constructor(stop: () => void) {
    this.#listeners = STOP_SIGNALS.map((signal) => {
      const listener = () => {
        this.#stoppedBy ??= signal;
        stop();
      };
      Deno.addSignalListener(signal, listener);
      return { signal, listener };
    });
  }

  /** Whether a stop signal came. */
  get stopped(): boolean {
    return this.#stoppedBy !== null;
  }

  /** The exit code for the signal that came, or `null` when none did. */
  exitCode(): number | null {
    return this.#stoppedBy === null
      ? null
      : SIGNAL_EXIT_CODES[this.#stoppedBy] ?? 1;
  }

  /** Stops listening. */
  [Symbol.dispose](): void {
    for (const { signal, listener } of this.#listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  }
}
