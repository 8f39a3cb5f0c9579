/**
 * Reply codes. Every reply line starts with one; the first digit says
 * success (1, 2), the server closing the connection (4) or an error (4, 5),
 * as in SMTP and FTP. The code of each command's own reply is in its row
 * of the command table (`commands.ts`); these are the others. PROTOCOL.md
 * lists them all with their texts.
 *
 * @module
 */

/** Reply codes by meaning, besides each command's own. */
export const Code = {
  /** Header of a file download: `150 <size> <name>`, raw bytes follow. */
  FileHeader: 150,
  /** Greeting: `220 Connected as Client01`. */
  Greeting: 220,
  /** Trailer after the raw bytes of a download: `226 SHA-256 <hex>`. */
  FileDone: 226,
  /** Echo: the message followed by `ACK`. */
  Echo: 250,
  /** The server is closing this connection (full, shutting down, idle). */
  Closing: 421,
  /** A file exists but could not be read, or the folder could not be listed. */
  FileError: 451,
  /** The line itself is unacceptable (too long, not UTF-8). */
  BadLine: 500,
  /** A command is missing its argument or has a malformed one. */
  BadArguments: 501,
  /**
   * A command this server does not have: never sent by ackline (a line
   * that is no command is a message), but by servers that know fewer.
   */
  NotImplemented: 502,
  /** The server wants the client's token first, in `hello`. */
  AuthRequired: 530,
  /** The token in `hello` was wrong. */
  AuthFailed: 535,
  /** The name is not a regular file in the server's folder. */
  NoSuchFile: 550,
} as const;

/** Tells whether a reply code reports a failure (4xx or 5xx). */
export function isFailure(code: number): boolean {
  return code >= 400;
}

/**
 * Whether a reply says the server does not know the command sent: an
 * older ackline server echoes it as a message; others say the line is not
 * understood (`500`) or not implemented (`502`).
 */
export function isNotUnderstood(code: number): boolean {
  return code === Code.Echo || code === Code.BadLine ||
    code === Code.NotImplemented;
}
