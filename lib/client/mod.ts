/**
 * The client's parts: the session that speaks to a server, downloads and
 * where they are saved, the progress bar, and the prompt. `client.ts` puts
 * them together.
 *
 * @module
 */

export { DEFAULTS, RANGES } from "./defaults.ts";
export {
  download,
  type DownloadOptions,
  type DownloadResult,
  type Fetcher,
  type PayloadHandler,
  type PayloadSink,
} from "./download.ts";
export {
  COMMAND_WORDS,
  completeLine,
  ListedNames,
  MAX_COMPLETION_NAMES,
} from "./completion.ts";
export { ConnectionClosedError, ReplyError } from "./errors.ts";
export { prepareDownloads } from "./folder.ts";
export {
  defaultHistoryPath,
  HISTORY_FILE_NAME,
  HISTORY_LINES,
  HistoryFile,
} from "./history.ts";
export {
  type LineInput,
  PipeInput,
  readLines,
  TerminalInput,
  type TerminalInputOptions,
} from "./line_input.ts";
export { runOnce } from "./one_shot.ts";
export {
  PartialFile,
  safeFileName,
  VerificationError,
  type WhenTaken,
} from "./partial_file.ts";
export {
  fitLine,
  ProgressBar,
  renderProgress,
  terminalColumns,
} from "./progress.ts";
export {
  consoleOutput,
  type GetOptions,
  type GetOutcome,
  HELP_LINES,
  HINT,
  printLine,
  printReply,
  PROMPT,
  type PromptOptions,
  type PromptOutput,
  requestAndPrint,
  runGet,
  runPrompt,
  shortPrompt,
} from "./prompt.ts";
export { type LineHandler, Session, type SessionOptions } from "./session.ts";
export { SIGNAL_EXIT_CODES, StopSignals } from "./signals.ts";
export { checkFits, DownloadRefusedError, freeBytes } from "./space.ts";
export { type StallLimits, type StallProbe, StallWatch } from "./stall.ts";
