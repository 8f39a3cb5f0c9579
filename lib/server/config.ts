/**
 * What a server is set to do: its configuration, resolved once (by the
 * command line, or by {@linkcode resolveConfig} for `serve()`), the
 * defaults, the ranges its flags accept, and every timing it keeps. The
 * modules below take these values as they are, with no defaults of their
 * own.
 *
 * @module
 */

import { given, type Permissions, TLS_FOLDER } from "../common/mod.ts";
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REQUEST_LINE_BYTES,
  MAX_CLIENTS,
  MAX_HISTORY,
  MAX_REQUEST_LINE_BYTES,
  TOKEN_VARIABLE,
} from "../wire/mod.ts";

/** Every timing of a server, in milliseconds. */
export interface Timings {
  /** Close a client that makes no request for this long; 0 never. */
  idleMs: number;
  /**
   * Take the bytes after the last line end as a line of their own once
   * the client has been silent this long after them, for clients that end
   * messages with no line end; 0 never (a line may arrive in two packets).
   */
  lineGapMs: number;
  /**
   * How long a reply or download may wait with no byte of it taken before
   * the client is closed (the idle timeout when that is longer).
   */
  stallMs: number;
  /**
   * How long a closing client gets to take its last reply and end its
   * side; after that the socket is closed whatever it is doing.
   */
  closeGraceMs: number;
  /**
   * How long a newcomer to a full server gets to send its first line: one
   * that does, while a client that never sent a request holds a slot,
   * takes that slot (see `clients.ts`).
   */
  admissionWaitMs: number;
  /**
   * How long a client that has sent no request yet is safe from being
   * pushed out for a newcomer: its first line may be on its way.
   */
  silentGraceMs: number;
  /**
   * How long a newcomer to a full waiting room, where no one may leave for
   * it yet, waits at the door for its first read: with a line in it, it
   * takes the place of one silent; else it is turned away. Accepts wait
   * meanwhile (see `waiting.ts`).
   */
  doorMs: number;
  /**
   * On a server with no token, how long a client that has made requests
   * may sit idle and keep its slot while a newcomer that spoke waits for
   * one; 0 never to push it out. A token server never pushes out a client
   * that gave the token (see `clients.ts`).
   */
  yieldIdleMs: number;
  /**
   * How long a TLS client gets to finish its handshake: until then it has
   * no slot and no name, and one that takes longer is closed.
   */
  handshakeMs: number;
  /**
   * What a source address's first wrong token costs it: its next token is
   * judged this long after; each further wrong one doubles it.
   */
  tokenPenaltyMs: number;
  /** The most a source's wrong tokens cost it per try. */
  tokenPenaltyMaxMs: number;
  /** A source that gives no token for this long has its wrong ones forgotten. */
  tokenMemoryMs: number;
  /**
   * Longest wait for a file to open. Opening a FIFO blocks until a writer
   * comes; the server gives up on it rather than hold the client forever.
   */
  openTimeoutMs: number;
  /**
   * How long a shutdown waits for its clients to finish before the
   * program exits anyway: a session stuck in the file system must not
   * keep it alive.
   */
  shutdownWaitMs: number;
  /** A hashing thread idle this long is ended, and its memory with it. */
  hashThreadIdleMs: number;
  /** How long the last log lines get to reach a slow output at exit. */
  logFlushMs: number;
}

/** The timings a server keeps unless told otherwise. */
export const TIMINGS: Readonly<Timings> = Object.freeze({
  idleMs: 300_000,
  lineGapMs: 0,
  stallMs: 60_000,
  closeGraceMs: 2_000,
  admissionWaitMs: 5_000,
  silentGraceMs: 1_000,
  doorMs: 250,
  yieldIdleMs: 30_000,
  handshakeMs: 10_000,
  tokenPenaltyMs: 1_000,
  tokenPenaltyMaxMs: 60_000,
  tokenMemoryMs: 900_000,
  openTimeoutMs: 2_000,
  shutdownWaitMs: 5_000,
  hashThreadIdleMs: 3_000,
  logFlushMs: 1_000,
});

/** A server's configuration, every value resolved. */
export interface ServerConfig {
  /** Address to listen on. */
  hostname: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Clients connected at once. */
  maxClients: number;
  /** Folder whose regular files `list` and `get` serve. */
  filesDir: string;
  /** Longest request line in bytes. */
  maxLineBytes: number;
  /** Clients that left that `status` still lists. */
  history: number;
  /** Log every request, as `REQUEST` lines (debug level). */
  logRequests: boolean;
  /**
   * The token clients must give in `hello` before any other request, or
   * `null` for none (see `isToken` for what it may be).
   */
  token: string | null;
  /**
   * Serve clients from other machines with no token. Without it, a server
   * listening beyond loopback with no token serves only this machine's
   * clients (protected mode).
   */
  open: boolean;
  /** Speak TLS with this certificate chain and private key (PEM), or `null` for plain TCP. */
  tls: { cert: string; key: string } | null;
  /** Wrong tokens a connection may send before it is closed. */
  maxTokenTries: number;
  /** Every timing. */
  timings: Timings;
}

/** The defaults of a server's configuration. */
export const DEFAULTS: Readonly<ServerConfig> = Object.freeze({
  hostname: DEFAULT_HOST,
  port: DEFAULT_PORT,
  maxClients: 3,
  filesDir: "./files",
  maxLineBytes: DEFAULT_REQUEST_LINE_BYTES,
  history: 1000,
  logRequests: false,
  token: null,
  open: false,
  tls: null,
  maxTokenTries: 3,
  timings: TIMINGS,
});

/** A configuration with any value left out taking its default. */
export type ServerOptions = Partial<Omit<ServerConfig, "timings">> & {
  /** Timings that differ from {@linkcode TIMINGS}. */
  timings?: Partial<Timings>;
};

/** Fills in the defaults of everything `options` leaves out. */
export function resolveConfig(options: ServerOptions): ServerConfig {
  return {
    ...DEFAULTS,
    ...given(options),
    timings: { ...TIMINGS, ...given(options.timings ?? {}) },
  };
}

/**
 * The permissions of the server's task (`deno.json`): listen on every
 * interface and loopback, in both IP versions, by number or name; read its
 * files folder and the TLS folder; read the token's variable.
 */
export const TASK_PERMISSIONS: Readonly<Permissions> = Object.freeze({
  net: ["0.0.0.0", "127.0.0.1", "[::]", "[::1]", "localhost"],
  read: [DEFAULTS.filesDir, TLS_FOLDER],
  write: [],
  env: [TOKEN_VARIABLE],
  sys: [],
});

/** The values each numeric flag accepts. */
export const RANGES = {
  port: { min: 0, max: 65535 },
  maxClients: { min: 1, max: MAX_CLIENTS },
  maxLineBytes: { min: 16, max: MAX_REQUEST_LINE_BYTES },
  idleTimeoutSeconds: { min: 0, max: 24 * 3600 },
  lineGapMs: { min: 0, max: 10_000 },
  yieldAfterSeconds: { min: 0, max: 24 * 3600 },
  history: { min: 0, max: MAX_HISTORY },
} as const;

/**
 * Replies are flushed once this much is collected, so a client pipelining
 * many requests cannot make the server buffer their replies without bound.
 */
export const FLUSH_BYTES = 64 * 1024;

/**
 * Opens of served files given up on that may still be pending at once
 * (each holds one of the runtime's blocking threads until it ends).
 */
export const MAX_STUCK_OPENS = 8;

/** TLS handshakes under way at once; one more is turned away. */
export const MAX_HANDSHAKES = 64;

/**
 * Tokens the whole server judges a second, however many connections give
 * them: guessing from many connections or addresses stays slow.
 */
export const TOKEN_JUDGMENTS_PER_SECOND = 3;

/** Tokens judged at once before {@linkcode TOKEN_JUDGMENTS_PER_SECOND} holds. */
export const TOKEN_JUDGMENT_BURST = 3;

/** Source addresses whose wrong tokens are remembered at once. */
export const MAX_TOKEN_SOURCES = 4096;

/**
 * Sockets lingering at once after their last reply (see `linger.ts`); one
 * more closes at once.
 */
export const MAX_LINGERING = 32;

/** Newcomers waiting at once; one more pushes out the longest waiting. */
export const MAX_WAITING = 32;
