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
  allowedEnv,
  colors,
  escapeControl,
  hasPermission,
  integerFlag,
  parseFlags,
  runProgram,
  UsageError,
  UserFacingError,
} from "./lib/common/mod.ts";
import {
  acceptLoop,
  type AccessPolicy,
  Clients,
  ConnectionCache,
  DEFAULTS,
  DigestCache,
  FileRepository,
  HashThreads,
  logBanner,
  type LogFormat,
  type Logger,
  type LogLevel,
  MAX_TOKEN_TRIES,
  RANGES,
  RepositoryError,
  runUntilStopped,
  ServerLog,
  type ServerLogOptions,
  SHUTDOWN_WAIT_MS,
  TASK_NET_HOSTS,
  Token,
  WRONG_TOKEN_DELAY_MS,
} from "./lib/server/mod.ts";
import { TOKEN_PATTERN, TOKEN_VARIABLE } from "./lib/wire/mod.ts";

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
  /** Log every request, as `REQUEST` lines (debug level). Default no. */
  logRequests?: boolean;
  /**
   * The token clients must give in `hello` before any other request
   * (16 to 1024 printable characters, no spaces). Default: none.
   */
  token?: string;
  /**
   * Serve clients from other machines with no token. Without it, a server
   * listening beyond loopback with no token serves only this machine's
   * clients (protected mode). Default no.
   */
  open?: boolean;
  /**
   * Speak TLS with this certificate chain and private key (PEM text).
   * Default: plain TCP.
   */
  tls?: { cert: string; key: string };
  /** How long a wrong token waits for its answer. Default 1 s. */
  wrongTokenDelayMs?: number;
  /** Wrong tokens a connection may send before it is closed. Default 3. */
  maxTokenTries?: number;
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
  if (options.token !== undefined && !TOKEN_PATTERN.test(options.token)) {
    throw new RangeError(
      "A token is 16 to 1024 printable characters, without spaces",
    );
  }
  const access: AccessPolicy = {
    hostname,
    token: options.token !== undefined,
    open: options.open ?? false,
    tls: options.tls !== undefined,
  };
  const listener: Deno.Listener<Deno.Conn<Deno.NetAddr>, Deno.NetAddr> =
    options.tls === undefined
      ? Deno.listen({ hostname, port, transport: "tcp" })
      : Deno.listenTls({ hostname, port, ...options.tls });
  const cache = new ConnectionCache(options.history ?? DEFAULTS.history);
  const hashThreads = new HashThreads();
  const clients = new Clients({
    cache,
    repository,
    digests: new DigestCache(),
    hashThreads,
    log,
    logRequests: options.logRequests ?? false,
    access,
    token: options.token === undefined ? null : new Token(options.token),
    wrongTokenDelayMs: options.wrongTokenDelayMs ?? WRONG_TOKEN_DELAY_MS,
    maxTokenTries: options.maxTokenTries ?? MAX_TOKEN_TRIES,
    now: options.now ?? (() => new Date()),
  }, {
    maxClients: options.maxClients ?? DEFAULTS.maxClients,
    maxLineBytes: options.maxLineBytes ?? DEFAULTS.maxLineBytes,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    admissionWaitMs: options.admissionWaitMs,
    silentGraceMs: options.silentGraceMs,
    writeStallMs: options.writeStallMs,
  });
  logBanner(log, {
    addr: listener.addr,
    listing: await repository.list().catch(() => null),
    filesDir: options.filesDir ?? DEFAULTS.filesDir,
    maxClients: options.maxClients ?? DEFAULTS.maxClients,
    maxLineBytes: options.maxLineBytes ?? DEFAULTS.maxLineBytes,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    history: options.history ?? DEFAULTS.history,
    access,
  });
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
  --token-file FILE    Clients must give the token in FILE first (or set
                       ${TOKEN_VARIABLE}); 16+ characters: openssl rand -hex 32
  --open               Beyond loopback with no token, serve other machines too
  --tls-cert FILE      Speak TLS with this certificate chain (PEM) ...
  --tls-key FILE       ... and this private key (PEM)
  --log-format FORMAT  text, or json for one object a line (default text)
  -q, --quiet          Log only warnings and errors
  -v, --verbose        Log every request too (a message's size, never its text)
  -h, --help           Show this help

Log lines go to stdout; warnings (a client turned away, log lines dropped)
and errors go to stderr. Stop it with Ctrl+C or SIGTERM: every client is told
and the server exits with 0; the log names the process to signal.`;

/** What the command line asks for: the server, and its log. */
interface CommandLine {
  options: ServeOptions;
  logOptions: ServerLogOptions;
  /** Where the token is, when a file holds it. */
  tokenFile?: string;
  /** The TLS certificate chain and key files, both or neither. */
  tlsCert?: string;
  tlsKey?: string;
}

const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/** Reads the command line; `null` when help was shown. */
function parseCommandLine(args: string[]): CommandLine | null {
  const flags = parseFlags(args, [
    "host",
    "port",
    "max-clients",
    "files",
    "max-line",
    "idle-timeout",
    "history",
    "log-format",
    "token-file",
    "tls-cert",
    "tls-key",
  ], {
    switches: ["quiet", "verbose", "open"],
    aliases: { q: "quiet", v: "verbose" },
  });
  if (flags.help) {
    console.log(HELP);
    return null;
  }
  const { values, switches } = flags;
  const format = values["log-format"] ?? "text";
  if (!LOG_FORMATS.includes(format as LogFormat)) {
    throw new UsageError(
      `--log-format must be text or json, got ${format}`,
    );
  }
  if (switches.quiet && switches.verbose) {
    throw new UsageError("--quiet and --verbose cannot go together");
  }
  const level: LogLevel = switches.quiet
    ? "warn"
    : switches.verbose
    ? "debug"
    : "info";
  const options: ServeOptions = {
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
    logRequests: switches.verbose,
    open: switches.open,
  };
  const tlsCert = values["tls-cert"];
  const tlsKey = values["tls-key"];
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  return {
    options,
    logOptions: { format: format as LogFormat, level },
    tokenFile: values["token-file"],
    tlsCert,
    tlsKey,
  };
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that runs this server as its task does, but with read
 * access to `paths` instead of `./files`, and the same arguments.
 */
function commandReading(
  paths: readonly string[],
  args: readonly string[],
): string {
  return [
    "deno",
    "run",
    `--allow-net=${TASK_NET_HOSTS}`,
    `--allow-read=${paths.join(",")}`,
    `--allow-env=${TOKEN_VARIABLE}`,
    "server.ts",
    ...args,
  ].map(shellWord).join(" ");
}

/**
 * Makes sure the server may read `path` before it starts: asks on a
 * terminal (Deno's own question), and otherwise says which command would
 * let it (`readPaths`: everything it must read).
 *
 * @throws {UserFacingError} when the permission is missing.
 */
async function checkReadable(
  path: string,
  what: string,
  readPaths: readonly string[],
  args: readonly string[],
) {
  if (!await hasPermission({ name: "read", path })) {
    throw new UserFacingError(
      `This server may read only its files folder, and not ${
        escapeControl(path)
      }; to ${what}, run: ${commandReading(readPaths, args)}`,
    );
  }
}

/**
 * Reads a file the server needs once at start (a certificate, a key), and
 * gives up the permission to read it again: a bug that let a client name
 * a path could not reach it.
 */
async function readOnce(
  path: string,
  readPaths: readonly string[],
  args: readonly string[],
): Promise<string> {
  await checkReadable(path, "read it", readPaths, args);
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UserFacingError(
      `Cannot read ${escapeControl(path)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  } finally {
    await Deno.permissions.revoke({ name: "read", path });
  }
}

/**
 * The token the server wants, from `--token-file` or the environment
 * variable; `undefined` for none. The file may not be read again after.
 *
 * @throws {UserFacingError} for both at once, an unreadable file or a
 * token that is too weak.
 */
async function readToken(
  tokenFile: string | undefined,
  readPaths: readonly string[],
  args: readonly string[],
): Promise<string | undefined> {
  const fromEnv = allowedEnv(TOKEN_VARIABLE);
  if (tokenFile === undefined) {
    if (fromEnv !== undefined && !TOKEN_PATTERN.test(fromEnv)) {
      throw new UserFacingError(
        `${TOKEN_VARIABLE} must be 16 to 1024 printable characters without spaces (make one with: openssl rand -hex 32)`,
      );
    }
    return fromEnv;
  }
  if (fromEnv !== undefined) {
    throw new UsageError(
      `Give the token in ${TOKEN_VARIABLE} or with --token-file, not both`,
    );
  }
  const token = (await readOnce(tokenFile, readPaths, args)).trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new UserFacingError(
      `The token in ${
        escapeControl(tokenFile)
      } must be 16 to 1024 printable characters without spaces (make one with: openssl rand -hex 32)`,
    );
  }
  return token;
}

/** Turns a failure to start into one line a user can act on. */
function startError(
  error: unknown,
  { hostname, port, tls }: ServeOptions,
): unknown {
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
  if (tls !== undefined && error instanceof Error) {
    // Deno's words for a PEM it cannot use (no key, not a certificate).
    return new UserFacingError(
      `Cannot use the TLS certificate and key: ${error.message}`,
    );
  }
  return error;
}

/** How long the last log lines get to reach a slow output at exit. */
const LOG_FLUSH_MS = 1000;

async function main(args: string[]): Promise<number> {
  const command = parseCommandLine(args);
  if (command === null) return 0;
  const { options, logOptions, tokenFile, tlsCert, tlsKey } = command;
  colors.setColorEnabled(
    logOptions.format === "text" && Deno.stdout.isTerminal(),
  );
  const logs = new ServerLog(logOptions);
  const log = logs.log;
  const tlsFiles = tlsCert === undefined ? [] : [tlsCert, tlsKey!];
  const readPaths = [
    options.filesDir!,
    ...tokenFile ? [tokenFile] : [],
    ...tlsFiles,
  ];
  await checkReadable(
    options.filesDir!,
    `serve ${escapeControl(options.filesDir!)}`,
    readPaths,
    args,
  );
  options.token = await readToken(tokenFile, readPaths, args);
  if (tlsCert !== undefined) {
    const [cert, key] = await Promise.all(
      tlsFiles.map((path) => readOnce(path, readPaths, args)),
    );
    options.tls = { cert, key };
  }
  let server: Server;
  try {
    server = await serve({ ...options, log });
  } catch (error) {
    throw startError(error, options);
  }
  const ended = await runUntilStopped(server, log, logs.logNow);
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
