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
export { joinPath, SEPARATOR, splitPath } from "./path.ts";
export { allowedEnv, hasPermission } from "./permissions.ts";
export {
  readSecretFile,
  readToken,
  type SecretReader,
  type TokenRule,
} from "./secrets.ts";
export { VERSION } from "./version.ts";
export {
  type Colorizer,
  colors,
  formatBytes,
  type FormatBytesOptions,
} from "./std.ts";
export {
  alignColumns,
  type DurationStyle,
  escapeCharacter,
  escapeControl,
  formatAddress,
  formatDuration,
  formatIsoTime,
  formatTimestamp,
} from "./text.ts";
