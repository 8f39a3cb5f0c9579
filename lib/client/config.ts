/**
 * What a client is set to do: how it connects and what it puts up with,
 * resolved once (by the command line, or by `connect()` for what its
 * options leave out), the defaults, and the ranges its flags accept.
 *
 * @module
 */

import { type Permissions, TLS_FOLDER } from "../common/mod.ts";
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  REPLY_LIMITS,
  type ReplyLimits,
  TOKEN_VARIABLE,
} from "../wire/mod.ts";

/** How a client connects, and how long it waits. */
export interface ConnectConfig {
  /** Server address. */
  hostname: string;
  /** Server port. */
  port: number;
  /**
   * Give up when no reply line completes for this long (download bytes
   * count as progress); 0 never.
   */
  replyTimeoutMs: number;
  /** Slowest download in bytes a second before it is given up; 0 none. */
  speedLimit: number;
  /** How long a download may stay under that. */
  speedTimeMs: number;
  /** What one reply may hold. */
  replyLimits: ReplyLimits;
  /** The token to give in `hello`, for a server that wants one; `null` for none. */
  token: string | null;
  /**
   * Speak TLS, checking the server's certificate and host name against
   * the system's authorities, or against `caCerts` (PEM text) when given;
   * `null` for plain TCP.
   */
  tls: { caCerts?: string[] } | null;
}

/** The defaults of how a client connects. */
export const DEFAULTS: Readonly<ConnectConfig> = Object.freeze({
  hostname: DEFAULT_HOST,
  port: DEFAULT_PORT,
  replyTimeoutMs: 30_000,
  speedLimit: 1024,
  speedTimeMs: 30_000,
  replyLimits: REPLY_LIMITS,
  token: null,
  tls: null,
});

/** Where downloads go unless told otherwise. */
export const DOWNLOADS_DIR = "./downloads";

/** Largest file a download takes unless told otherwise: 16 GiB. */
export const MAX_DOWNLOAD_BYTES = 16 * 1024 ** 3;

/** How far `name (1).ext`, `name (2).ext`, … go before a download gives up. */
export const MAX_NUMBERED = 9999;

/**
 * The permissions of the client's task (`deno.json`), its history file at
 * `historyPath` (the task says `$HOME/.ackline_history`): connect
 * anywhere, read and write its downloads folder and history, read the
 * TLS folder (for `--ca`), read the variables that find the history and hold the token, and ask how much
 * space is free.
 */
export function taskPermissions(historyPath: string | null): Permissions {
  const history = historyPath === null ? [] : [historyPath];
  return {
    net: [],
    read: [DOWNLOADS_DIR, TLS_FOLDER, ...history],
    write: [DOWNLOADS_DIR, ...history],
    env: ["HOME", TOKEN_VARIABLE],
    sys: ["statfs"],
  };
}

/** The values each numeric flag accepts. */
export const RANGES = {
  port: { min: 1, max: 65535 },
  timeoutSeconds: { min: 0, max: 24 * 3600 },
  speedTimeSeconds: { min: 1, max: 24 * 3600 },
} as const;
