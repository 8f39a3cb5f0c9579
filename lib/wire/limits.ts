/**
 * Limits both sides must agree on: what a server may send is what a client
 * must accept.
 *
 * @module
 */

/** The longest request line a server accepts by default, in bytes. */
export const DEFAULT_REQUEST_LINE_BYTES = 64 * 1024;

/** The highest request-line limit a server can be configured with. */
export const MAX_REQUEST_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The longest reply line a server may send: the echo of the longest request
 * it can be configured to accept, with its code and `ACK`.
 */
export const MAX_REPLY_LINE_BYTES: number = MAX_REQUEST_LINE_BYTES +
  "250 ACK".length;

/** Limits a reply reader enforces on each reply. */
export interface ReplyLimits {
  /** Longest line, code and separator included, line end excluded. */
  maxLineBytes: number;
  /** Most lines in one reply. */
  maxLines: number;
  /** Most bytes in one reply, line ends included; raw download bytes are not part of it. */
  maxReplyBytes: number;
}

/**
 * What a reply reader accepts by default: any reply an ackline server may
 * send (the longest echo; a status or list of a million lines), and
 * nothing without bound.
 */
export const REPLY_LIMITS: Readonly<ReplyLimits> = Object.freeze({
  maxLineBytes: MAX_REPLY_LINE_BYTES,
  maxLines: 1_000_000,
  maxReplyBytes: 2 * MAX_REPLY_LINE_BYTES,
});
