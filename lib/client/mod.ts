/**
 * The client, as the other folders use it: `connect()` and its session,
 * the command line, and the program once connected. Inside: downloads and
 * where they are saved, the progress bar, the prompt and its line editor.
 *
 * @module
 */

export { type ClientCommandLine, HELP, parseCommandLine } from "./cli.ts";
export {
  checkSaving,
  connectError,
  readSecrets,
  tokenInClear,
} from "./start.ts";
export { type LocalName, readTypedLine, type TypedLine } from "./commands.ts";
export { type ConnectConfig, DEFAULTS } from "./config.ts";
export {
  AGENT,
  connect,
  type ConnectOptions,
  TokenRefusedError,
} from "./connect.ts";
export { consoleOutput, type PromptOutput } from "./console.ts";
export type {
  DownloadOptions,
  DownloadResult,
  PayloadHandler,
  PayloadSink,
} from "./download.ts";
export { ConnectionClosedError, ReplyError } from "./errors.ts";
export { runLocal } from "./prompt.ts";
export { runClient, type RunOptions, runPlainClient } from "./run.ts";
export { type LineHandler, Session, type SessionOptions } from "./session.ts";
