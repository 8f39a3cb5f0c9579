/**
 * How the server program stops: the first Ctrl+C (or SIGTERM) shuts down
 * gracefully, within the shutdown wait; a second Ctrl+C stops at once.
 *
 * @module
 */

import { type Clock, STOP_SIGNALS, type TimerHandle } from "../common/mod.ts";
import type { Logger } from "./log.ts";

/**
 * A stop signal this soon after the first is the same one delivered twice:
 * under `deno task` one Ctrl+C arrives from the terminal and again from
 * the task runner.
 */
export const REPEAT_SIGNAL_MS = 500;

/** What {@linkcode runUntilStopped} needs of a server. */
export interface Stoppable {
  /** Resolves once the server has stopped and every connection is closed. */
  readonly closed: Promise<void>;
  /** Tells every client the server is shutting down, closes everything. */
  shutdown(): Promise<void>;
}

/** Options of {@linkcode runUntilStopped}. */
export interface StopOptions {
  /** Where lines go. */
  log: Logger;
  /** Where the line just before an exit goes: written before it returns. */
  logNow: Logger;
  /** How long a shutdown may take before the program stops waiting. */
  shutdownWaitMs: number;
  /** Where the time comes from. */
  clock: Clock;
}

/**
 * Waits until `server` has stopped, shutting it down on the first stop
 * signal and exiting the process on a second, later Ctrl+C.
 *
 * @returns `"stopped"`, or `"gave up"` when the shutdown took longer than
 * the shutdown wait.
 */
export async function runUntilStopped(
  server: Stoppable,
  { log, logNow, shutdownWaitMs, clock }: StopOptions,
): Promise<"stopped" | "gave up"> {
  const givenUp = Promise.withResolvers<"gave up">();
  let deadline: TimerHandle | undefined;
  let firstSignalAt = 0;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      if (deadline !== undefined) {
        if (clock.now() - firstSignalAt < REPEAT_SIGNAL_MS) return;
        // Written at once: the process ends on the next line.
        logNow("SERVER", "Stopped at once");
        Deno.exit(1);
      }
      firstSignalAt = clock.now();
      log(
        "SERVER",
        signal === "SIGINT"
          ? "Shutting down (Ctrl+C again to stop at once)"
          : "Shutting down",
      );
      deadline = clock.setTimer(
        () => givenUp.resolve("gave up"),
        shutdownWaitMs,
      );
      server.shutdown();
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  try {
    return await Promise.race([
      server.closed.then(() => "stopped" as const),
      givenUp.promise,
    ]);
  } finally {
    clock.clearTimer(deadline);
    for (const { signal, listener } of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  }
}
