/**
 * The ackline wire protocol, what both sides must agree on: the command
 * table, reply codes, the reply writer and the one reply reader, line
 * framing, the `hello` grammar, how file names are escaped, and the
 * limits. PROTOCOL.md is the prose version of this folder.
 *
 * @module
 */

export { Code, isFailure, isNotUnderstood } from "./codes.ts";
export {
  type ArgumentSyntax,
  NO_VERSION,
  type ResumeArguments,
  VERSION_PATTERN,
} from "./arguments.ts";
export {
  COMMAND_NAMES,
  type CommandName,
  COMMANDS,
  type Request,
  REQUEST_NAMES,
  type RequestArguments,
  requestGrammar,
  type RequestName,
} from "./commands.ts";
export {
  formatRequest,
  isUtf8,
  parseRequest,
  parseRequestText,
  showArguments,
} from "./requests.ts";
export {
  formatIntroduction,
  type Introduction,
  isToken,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_BITS,
  MIN_TOKEN_LENGTH,
  TOKEN,
  TOKEN_PATTERN,
  TOKEN_RULE,
  TOKEN_VARIABLE,
  tokenBits,
} from "./hello.ts";
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REQUEST_LINE_BYTES,
  MAX_CLIENTS,
  MAX_HISTORY,
  MAX_REQUEST_LINE_BYTES,
  REPLY_LIMITS,
  type ReplyLimits,
} from "./limits.ts";
export { LineBuffer, LineTooLongError } from "./line_buffer.ts";
export { escapeName, isNameTooLong, unescapeName } from "./names.ts";
export { ReplyWriter } from "./replies.ts";
export {
  isTlsHandshake,
  ProtocolError,
  type ProtocolFault,
  quoteLine,
  TruncatedPayloadError,
} from "./faults.ts";
export { type Reply, ReplyReader } from "./reply_reader.ts";
export {
  type CloseReason,
  closingText,
  type FileHeader,
  formatFileFields,
  formatFileRows,
  helloForm,
  isServerFull,
  type ListedFile,
  parseFileRow,
  parseFileTrailer,
  parseGreeting,
  type Refusal,
  refusalCode,
  refusalText,
} from "./texts.ts";
