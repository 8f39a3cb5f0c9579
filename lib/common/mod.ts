/**
 * Helpers both programs use that are not the protocol: command-line
 * parsing and exit codes, writing all of a buffer, paths, text for people,
 * and the std functions with their types.
 *
 * @module
 */

export {
  type FlagSpec,
  integerFlag,
  type ParsedFlags,
  parseFlags,
  runProgram,
  sizeFlag,
  STOP_SIGNALS,
  UsageError,
  UserFacingError,
} from "./cli.ts";
export {
  type Clock,
  sleepOn,
  SYSTEM_CLOCK,
  type TimerHandle,
} from "./clock.ts";
export {
  isTcp,
  type Reader,
  type SyncWriter,
  writeAll,
  writeAllSync,
  type Writer,
} from "./io.ts";
export {
  flagsOf,
  type Permissions,
  runCommand,
  shellWord,
  withPaths,
} from "./commands.ts";
export { isLoopback, isLoopbackPeer, netHost } from "./hosts.ts";
export { given } from "./options.ts";
export { isWithin, joinPath, SEPARATOR, splitPath } from "./path.ts";
export { allowedEnv, hasPermission } from "./permissions.ts";
export {
  giveUpReading,
  readSecretFile,
  readToken,
  type SecretReader,
  TLS_FOLDER,
  type TokenRule,
} from "./secrets.ts";
export { VERSION } from "./version.ts";
export { type Colorizer, colors } from "./std.ts";
export {
  alignColumns,
  escapeCharacter,
  escapeControl,
  formatAddress,
  formatBytes,
  formatDuration,
  formatIsoTime,
  formatTimestamp,
} from "./text.ts";
