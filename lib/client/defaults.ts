/**
 * The client's defaults and the ranges its flags accept: one place, shown
 * by `--help` and used by {@linkcode connect}.
 *
 * @module
 */

import { REPLY_LIMITS } from "../wire/mod.ts";

/** Defaults of the client's options. */
export const DEFAULTS = {
  hostname: "127.0.0.1",
  port: 12345,
  downloadsDir: "./downloads",
  replyTimeoutMs: 30_000,
  /** A download slower than this many bytes a second … */
  speedLimit: 1024,
  /** … for this long is given up. */
  speedTimeMs: 30_000,
  /** Largest file a download takes unless told otherwise: 16 GiB. */
  maxDownloadBytes: 16 * 1024 ** 3,
  /** What one reply may hold: anything an ackline server may send. */
  replyLimits: REPLY_LIMITS,
} as const;

/** The values each numeric flag accepts. */
export const RANGES = {
  port: { min: 1, max: 65535 },
  timeoutSeconds: { min: 0, max: 24 * 3600 },
  speedTimeSeconds: { min: 1, max: 24 * 3600 },
} as const;
