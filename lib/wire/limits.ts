/**
 * Limits both sides must agree on: what a server may send is what a client
 * must accept.
 *
 * @module
 */

/** Where a server listens unless told, and where a client looks for it. */
export const DEFAULT_HOST = "127.0.0.1";

/** The port a server listens on unless told, and a client connects to. */
export const DEFAULT_PORT = 12345;

/** The longest request line a server accepts by default, in bytes. */
export const DEFAULT_REQUEST_LINE_BYTES = 64 * 1024;

/**
 * The highest request-line limit a server can be configured with. Its echo
 * is the longest reply line a client must hold, so it bounds a client's
 * memory too: with 4 MiB the client stays well under 100 MB.
 */
export const MAX_REQUEST_LINE_BYTES = 4 * 1024 * 1024;

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

/** The most clients a server can be configured to admit at once. */
export const MAX_CLIENTS = 1_000_000;

/** The most departed clients a server can be configured to list. */
export const MAX_HISTORY = 1_000_000;

/**
 * What a reply reader accepts by default: any reply an ackline server may
 * send (the longest echo; a `status` of every client its flags allow, with
 * room for a `list` as long), and nothing without bound. A reader that
 * holds whole replies holds up to this much; the client program prints
 * each line as it comes instead.
 */
export const REPLY_LIMITS: Readonly<ReplyLimits> = Object.freeze({
  maxLineBytes: MAX_REPLY_LINE_BYTES,
  maxLines: MAX_CLIENTS + MAX_HISTORY + 2, // a header and a summary
  maxReplyBytes: 512 * 1024 * 1024,
});
