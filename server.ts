/**
 * The ackline server: accepts a limited number of clients, names them
 * Client01, Client02, …, answers the requests of the command table, and
 * echoes every other line with `ACK` appended.
 *
 * @example Usage
 * ```ts ignore
 * import { serve } from "./server.ts";
 *
 * const server = await serve({ port: 0 });
 * console.log(server.addr.port);
 * await server.shutdown();
 * ```
 *
 * @module
 */

import { colors, runProgram, SYSTEM_CLOCK } from "./lib/common/mod.ts";
import {
  checkFilesFolder,
  HELP,
  parseCommandLine,
  readSecrets,
  runUntilStopped,
  serve,
  type Server,
  ServerLog,
  startError,
} from "./lib/server/mod.ts";

export {
  DEFAULTS,
  type Logger,
  type LogKind,
  serve,
  type ServeOptions,
  type Server,
  TIMINGS,
  type Timings,
} from "./lib/server/mod.ts";

async function main(args: string[]): Promise<number> {
  const command = parseCommandLine(args);
  if (command === null) {
    console.log(HELP);
    return 0;
  }
  colors.setColorEnabled(
    command.log.format === "text" && Deno.stdout.isTerminal(),
  );
  const clock = SYSTEM_CLOCK;
  const logs = new ServerLog({
    ...command.log,
    stdout: Deno.stdout,
    stderr: Deno.stderr,
    clock,
  });
  const { log, logNow } = logs;
  await checkFilesFolder(command);
  const config = await readSecrets(command, (text) => log("WARNING", text));
  let server: Server;
  try {
    server = await serve({ ...config, log, clock });
  } catch (error) {
    throw startError(error, command, config);
  }
  const { shutdownWaitMs, logFlushMs } = config.timings;
  const ended = await runUntilStopped(server, {
    log,
    logNow,
    shutdownWaitMs,
    clock,
  });
  log(
    "SERVER",
    ended === "gave up"
      ? `Stopped without waiting longer than ${
        shutdownWaitMs / 1000
      } s for the last clients`
      : "Stopped",
  );
  // The log may be a pipe nobody reads: wait for it, but not forever.
  const flushing = new AbortController();
  await Promise.race([
    logs.flushed(),
    clock.sleep(logFlushMs, flushing.signal),
  ]);
  flushing.abort();
  return ended === "gave up" ? 1 : 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
