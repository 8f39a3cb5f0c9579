/**
 * The ackline wire protocol, what both sides must agree on: reply codes,
 * the builders of every reply, the one reply reader, the request words and
 * their parsing, line framing, how file names are escaped, and the limits. PROTOCOL.md is the prose
 * version of this folder.
 *
 * @module
 */

export { Code, isFailure } from "./codes.ts";
export {
  DEFAULT_REQUEST_LINE_BYTES,
  MAX_CLIENTS,
  MAX_HISTORY,
  MAX_REPLY_LINE_BYTES,
  MAX_REQUEST_LINE_BYTES,
  REPLY_LIMITS,
  type ReplyLimits,
} from "./limits.ts";
export { LineBuffer, LineTooLongError } from "./line_buffer.ts";
export {
  escapeName,
  isNameTooLong,
  MAX_NAME_BYTES,
  unescapeName,
} from "./names.ts";
export { REPLY_RETAIN_BYTES, ReplyWriter } from "./replies.ts";
export {
  ProtocolError,
  type Reply,
  ReplyReader,
  TruncatedPayloadError,
} from "./reply_reader.ts";
export {
  formatRequest,
  isUtf8,
  parseRequest,
  parseRequestText,
  type Request,
  type RequestArguments,
  type RequestName,
  REQUESTS,
} from "./requests.ts";
export {
  type CloseReason,
  closingText,
  type FileHeader,
  formatFileHeader,
  formatFileRows,
  formatFileTrailer,
  formatGreeting,
  formatIntroduction,
  type Introduction,
  type ListedFile,
  parseFileHeader,
  parseFileRow,
  parseFileTrailer,
  parseGreeting,
  parseIntroduction,
  type Refusal,
  refusalCode,
  refusalText,
  TOKEN_PATTERN,
  TOKEN_VARIABLE,
} from "./texts.ts";
