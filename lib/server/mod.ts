/**
 * The server, as the other folders use it: `serve()` and its options, the
 * command line, the log, and the stop on signals. Inside: connections and
 * sessions, the handlers of the command table, admission, the connection
 * cache and naming, the repository and transfers.
 *
 * @module
 */

export { HELP, parseCommandLine, type ServerCommandLine } from "./cli.ts";
export { checkFilesFolder, readSecrets, startError } from "./start.ts";
export type { ClientRecord, ConnectionCache } from "./cache.ts";
export {
  DEFAULTS,
  type ServerConfig,
  type ServerOptions,
  TIMINGS,
  type Timings,
} from "./config.ts";
export {
  type LineFormatter,
  type LogFields,
  type LogFormat,
  type Logger,
  type LogKind,
  type LogLevel,
  ServerLog,
} from "./log.ts";
export { serve, type ServeOptions, type Server } from "./serve.ts";
export { parseStatusSummary } from "./status.ts";
export { runUntilStopped, type StopOptions, type Stoppable } from "./stop.ts";
