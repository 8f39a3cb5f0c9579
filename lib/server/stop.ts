/**
 * How the server program stops: the first Ctrl+C (or SIGTERM) shuts down
 * gracefully, within {@linkcode SHUTDOWN_WAIT_MS}; a second Ctrl+C stops
 * at once.
 *
 * @module
 */

import { STOP_SIGNALS } from "../common/mod.ts";
import { SHUTDOWN_WAIT_MS } from "./defaults.ts";
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

/**
 * Waits until `server` has stopped, shutting it down on the first stop
 * signal and exiting the process on a second, later Ctrl+C. Lines go to
 * `log`; the one just before that exit goes to `logNow`, which must write
 * it before returning.
 *
 * @returns `"stopped"`, or `"gave up"` when the shutdown took longer than
 * {@linkcode SHUTDOWN_WAIT_MS}.
 */
export async function runUntilStopped(
  server: Stoppable,
  log: Logger,
  logNow: Logger = log,
): Promise<"stopped" | "gave up"> {
  const givenUp = Promise.withResolvers<"gave up">();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let firstSignalAt = 0;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      if (deadline !== undefined) {
        if (performance.now() - firstSignalAt < REPEAT_SIGNAL_MS) return;
        // Written at once: the process ends on the next line.
        logNow("SERVER", "Stopped at once");
        Deno.exit(1);
      }
      firstSignalAt = performance.now();
      log(
        "SERVER",
        signal === "SIGINT"
          ? "Shutting down (Ctrl+C again to stop at once)"
          : "Shutting down",
      );
      deadline = setTimeout(
        () => givenUp.resolve("gave up"),
        SHUTDOWN_WAIT_MS,
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
    clearTimeout(deadline);
    for (const { signal, listener } of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  }
}
