/**
 * The server's defaults and the ranges its flags accept: one place, shown
 * by `--help` and used by {@linkcode serve}.
 *
 * @module
 */

import {
  DEFAULT_REQUEST_LINE_BYTES,
  MAX_CLIENTS,
  MAX_HISTORY,
  MAX_REQUEST_LINE_BYTES,
} from "../wire/mod.ts";

/** Defaults of the server's options. */
export const DEFAULTS = {
  hostname: "127.0.0.1",
  port: 12345,
  maxClients: 3,
  filesDir: "./files",
  maxLineBytes: DEFAULT_REQUEST_LINE_BYTES,
  idleTimeoutMs: 300_000,
  history: 1000,
} as const;

/**
 * The addresses the server task may listen on (its `--allow-net`): every
 * interface and loopback, in both IP versions, by number or name.
 */
export const TASK_NET_HOSTS = "0.0.0.0,127.0.0.1,[::],[::1],localhost";

/** The values each numeric flag accepts. */
export const RANGES = {
  port: { min: 0, max: 65535 },
  maxClients: { min: 1, max: MAX_CLIENTS },
  maxLineBytes: { min: 16, max: MAX_REQUEST_LINE_BYTES },
  idleTimeoutSeconds: { min: 0, max: 24 * 3600 },
  history: { min: 0, max: MAX_HISTORY },
} as const;

/**
 * Replies are flushed once this much is collected, so a client pipelining
 * many requests cannot make the server buffer their replies without bound.
 */
export const FLUSH_BYTES = 64 * 1024;

/**
 * How long a closing client gets to take its last reply and end its side;
 * after that the socket is closed whatever it is doing.
 */
export const CLOSE_GRACE_MS = 2000;

/**
 * How long a newcomer to a full server gets to send its first line: one
 * that does, while a client that never sent a request holds a slot, takes
 * that slot (see `clients.ts`).
 */
export const ADMISSION_WAIT_MS = 5000;

/**
 * How long a client that has sent no request yet is safe from being pushed
 * out for a newcomer: its first line may be on its way.
 */
export const SILENT_GRACE_MS = 1000;

/** How long a wrong token waits for its answer: guessing stays slow. */
export const WRONG_TOKEN_DELAY_MS = 1000;

/** Wrong tokens a connection may send before it is closed. */
export const MAX_TOKEN_TRIES = 3;

/** Newcomers waiting at once; one more pushes out the longest waiting. */
export const MAX_WAITING = 32;

/**
 * How long a shutdown waits for its clients to finish (each is closed at
 * most {@linkcode CLOSE_GRACE_MS} after it is told) before the program
 * exits anyway: a session stuck in the file system must not keep it alive.
 */
export const SHUTDOWN_WAIT_MS = 5000;

/**
 * How long a client may leave a reply or download unread, taking no bytes
 * of it, before it is closed (the idle timeout applies if longer).
 */
export const WRITE_STALL_MS = 60_000;
