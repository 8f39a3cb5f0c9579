/**
 * The ackline server: accepts a limited number of clients, names them
 * Client01, Client02, …, answers `status`, `exit`, `list`, `get` and
 * `time`, and echoes every other line with `ACK` appended.
 *
 * @example Usage
 * ```ts ignore
 * import { serve } from "./server.ts";
 *
 * const server = await serve({ port: 0 });
 * console.log(server.addr.port);
 * await server.shutdown();
 * ```
 *
 * @module
 */

import {
  colors,
  formatAddress,
  integerFlag,
  parseFlags,
  runProgram,
  UserFacingError,
} from "./lib/common/mod.ts";
import {
  acceptLoop,
  Clients,
  ConnectionCache,
  DEFAULTS,
  DigestCache,
  FileRepository,
  HashThreads,
  type Logger,
  QueuedLog,
  RANGES,
  RepositoryError,
  runUntilStopped,
  SHUTDOWN_WAIT_MS,
} from "./lib/server/mod.ts";

export { DEFAULTS, type Logger };
export type { LogKind } from "./lib/server/mod.ts";

/** Options of {@linkcode serve}; {@linkcode DEFAULTS} has the defaults. */
export interface ServeOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  hostname?: string;
  /** TCP port; 0 picks a free one. Default `12345`. */
  port?: number;
  /** Clients connected at once. Default `3`. */
  maxClients?: number;
  /** Folder whose regular files `list` and `get` serve. Default `./files`. */
  filesDir?: string;
  /** Longest request line in bytes. Default `65536`. */
  maxLineBytes?: number;
  /** Close a client after this long without a request; 0 never. Default 300 s. */
  idleTimeoutMs?: number;
  /** Clients that left that `status` still lists. Default 1,000. */
  history?: number;
  /**
   * How long a newcomer to a full server gets to send its first line (to
   * take the slot of a client that never made a request). Default 5 s.
   */
  admissionWaitMs?: number;
  /**
   * How long a client that has not sent a request is safe from being
   * pushed out for a newcomer. Default 1 s.
   */
  silentGraceMs?: number;
  /**
   * How long a client may take no bytes of a reply it is sent before it is
   * closed; the idle timeout if longer. Default 60 s.
   */
  writeStallMs?: number;
  /** Where log lines go. Default: nowhere. */
  log?: Logger;
  /** The wall clock, for the times people see (tests pass their own). */
  now?: () => Date;
}

/** A running server. */
export interface Server extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Every client accepted since start. */
  readonly cache: ConnectionCache;
  /** Resolves once the server has stopped and every connection is closed. */
  readonly closed: Promise<void>;
  /** Tells every client the server is shutting down, closes everything. */
  shutdown(): Promise<void>;
}

/**
 * Starts a server and returns once it listens.
 *
 * @throws {RepositoryError} if the files folder cannot be served.
 * @throws {Deno.errors.AddrInUse} if the port is taken.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const { hostname = DEFAULTS.hostname, port = DEFAULTS.port } = options;
  const log = options.log ?? (() => {});
  const repository = await FileRepository.open(
    options.filesDir ?? DEFAULTS.filesDir,
  );
  const listener = Deno.listen({ hostname, port, transport: "tcp" });
  const cache = new ConnectionCache(options.history ?? DEFAULTS.history);
  const hashThreads = new HashThreads();
  const clients = new Clients({
    cache,
    repository,
    digests: new DigestCache(),
    hashThreads,
    log,
    now: options.now ?? (() => new Date()),
  }, {
    maxClients: options.maxClients ?? DEFAULTS.maxClients,
    maxLineBytes: options.maxLineBytes ?? DEFAULTS.maxLineBytes,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    admissionWaitMs: options.admissionWaitMs,
    silentGraceMs: options.silentGraceMs,
    writeStallMs: options.writeStallMs,
  });
  log("SERVER", `Listening on ${formatAddress(listener.addr)}`);
  const stopping = new AbortController();
  const closed = acceptLoop(listener, (conn) => clients.accept(conn), {
    log,
    signal: stopping.signal,
  }).then(() => clients.drained()).finally(() => hashThreads.close());
  async function shutdown(): Promise<void> {
    if (!stopping.signal.aborted) {
      stopping.abort();
      listener.close();
      clients.stopAll();
    }
    await closed;
  }
  return {
    addr: listener.addr,
    cache,
    closed,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

const HELP =
  `ackline server: accepts clients, echoes lines with ACK, serves files.

Usage: deno task server [options]

Options:
  --host HOST          Address to listen on (default ${DEFAULTS.hostname})
  --port PORT          TCP port, 0 for any free one (default ${DEFAULTS.port})
  --max-clients N      Clients connected at once (default ${DEFAULTS.maxClients})
  --files DIR          Folder of files for list and get (default ${DEFAULTS.filesDir})
  --max-line BYTES     Longest request line (default ${DEFAULTS.maxLineBytes})
  --idle-timeout SEC   Close a client silent this long, 0 for never (default ${
    DEFAULTS.idleTimeoutMs / 1000
  })
  --history N          Clients that left that status still lists (default ${DEFAULTS.history})
  -h, --help           Show this help

Stop it with Ctrl+C: every client is told and the server exits with 0.`;

/** Reads the command line into options; `null` when help was shown. */
function parseCommandLine(args: string[]): ServeOptions | null {
  const flags = parseFlags(args, [
    "host",
    "port",
    "max-clients",
    "files",
    "max-line",
    "idle-timeout",
    "history",
  ]);
  if (flags.help) {
    console.log(HELP);
    return null;
  }
  const { values } = flags;
  return {
    hostname: values.host ?? DEFAULTS.hostname,
    port: integerFlag("port", values.port, {
      ...RANGES.port,
      fallback: DEFAULTS.port,
    }),
    maxClients: integerFlag("max-clients", values["max-clients"], {
      ...RANGES.maxClients,
      fallback: DEFAULTS.maxClients,
    }),
    filesDir: values.files ?? DEFAULTS.filesDir,
    maxLineBytes: integerFlag("max-line", values["max-line"], {
      ...RANGES.maxLineBytes,
      fallback: DEFAULTS.maxLineBytes,
    }),
    idleTimeoutMs: 1000 * integerFlag("idle-timeout", values["idle-timeout"], {
      ...RANGES.idleTimeoutSeconds,
      fallback: DEFAULTS.idleTimeoutMs / 1000,
    }),
    history: integerFlag("history", values.history, {
      ...RANGES.history,
      fallback: DEFAULTS.history,
    }),
  };
}

/** Turns a failure to start into one line a user can act on. */
function startError(error: unknown, hostname: string, port: number): unknown {
  if (error instanceof RepositoryError) {
    return new UserFacingError(error.message);
  }
  if (error instanceof Deno.errors.AddrInUse) {
    return new UserFacingError(
      `Port ${port} is already in use on ${hostname}; stop the program using it or pick another with --port`,
    );
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new UserFacingError(
      `No permission to listen on ${hostname}:${port}; run with --allow-net=${hostname}`,
    );
  }
  if (error instanceof Error && error.name === "AddrNotAvailable") {
    return new UserFacingError(
      `Cannot listen on ${hostname}: ${error.message}`,
    );
  }
  return error;
}

/** How long the last log lines get to reach a slow output at exit. */
const LOG_FLUSH_MS = 1000;

async function main(args: string[]): Promise<number> {
  const options = parseCommandLine(args);
  if (options === null) return 0;
  colors.setColorEnabled(Deno.stdout.isTerminal());
  const logs = new QueuedLog(Deno.stdout);
  const log = logs.log;
  let server: Server;
  try {
    server = await serve({ ...options, log });
  } catch (error) {
    throw startError(error, options.hostname!, options.port!);
  }
  const ended = await runUntilStopped(server, log);
  if (ended === "gave up") {
    log(
      "SERVER",
      `Stopped without waiting longer than ${
        SHUTDOWN_WAIT_MS / 1000
      } s for the last clients`,
    );
  } else {
    log("SERVER", "Stopped");
  }
  // The log may be a pipe nobody reads: wait for it, but not forever.
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    logs.flushed(),
    new Promise((resolve) => flushTimer = setTimeout(resolve, LOG_FLUSH_MS)),
  ]);
  clearTimeout(flushTimer);
  return ended === "gave up" ? 1 : 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
