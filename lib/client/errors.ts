/**
 * How a client session fails: the connection ended, or the server
 * answered with an error.
 *
 * @module
 */

import type { Reply } from "../wire/mod.ts";

/** Thrown when the connection ends; the message says how. */
export class ConnectionClosedError extends Error {
  /** Creates the error with the reason the connection ended. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionClosedError";
  }
}

/**
 * A connection that ended during a download: says where what arrived is
 * kept (`get -c`), or `null` when nothing is.
 */
export class DownloadStoppedError extends ConnectionClosedError {
  /** Where a part of the file is kept, if anywhere. */
  readonly keptPath: string | null;

  /** Creates the error; the message says how the connection ended. */
  constructor(
    message: string,
    keptPath: string | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DownloadStoppedError";
    this.keptPath = keptPath;
  }
}

/** Thrown when the server answers with an error reply (4xx or 5xx). */
export class ReplyError extends Error {
  /** The reply that was an error. */
  readonly reply: Reply;

  /** Creates the error for an error reply. */
  constructor(reply: Reply) {
    super(reply.lines.join("\n"));
    this.name = "ReplyError";
    this.reply = reply;
  }
}
