/**
 * The ackline server: accepts a limited number of clients, names them
 * Client01, Client02, …, answers `status`, `exit`, `list` and `get`, and
 * echoes every other line with `ACK` appended.
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

import { format as formatBytes } from "@std/fmt/bytes";
import * as colors from "@std/fmt/colors";
import { ConnectionCache } from "./lib/cache.ts";
import {
  integerFlag,
  parseFlags,
  runProgram,
  UserFacingError,
} from "./lib/cli.ts";
import { writeAll } from "./lib/io.ts";
import { LineBuffer, LineTooLongError } from "./lib/line_buffer.ts";
import { ClientNamer } from "./lib/naming.ts";
import {
  Code,
  formatFileHeader,
  formatFileTrailer,
  isUtf8,
  parseCommand,
  ReplyBuffer,
} from "./lib/protocol.ts";
import {
  FileRefusal,
  FileRepository,
  RepositoryError,
} from "./lib/repository.ts";
import { formatStatus } from "./lib/status.ts";
import {
  alignColumns,
  escapeControl,
  formatAddress,
  formatTimestamp,
} from "./lib/terminal.ts";
import { DigestCache, streamFile } from "./lib/transfer.ts";

/** Kinds of log line, shown in brackets: `[NEW CONNECTION] …`. */
export type LogKind =
  | "SERVER"
  | "NEW CONNECTION"
  | "DISCONNECTED"
  | "REJECTED"
  | "DOWNLOAD"
  | "ERROR";

/** Receives each log line; text from clients arrives already escaped. */
export type Logger = (kind: LogKind, message: string) => void;

/** Options of {@linkcode serve}. */
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
  /** Where log lines go. Default: nowhere. */
  log?: Logger;
  /** The clock, for tests. Default `() => new Date()`. */
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

/** Defaults of {@linkcode ServeOptions}, shown by `--help` too. */
export const DEFAULTS = {
  hostname: "127.0.0.1",
  port: 12345,
  maxClients: 3,
  filesDir: "./files",
  maxLineBytes: 64 * 1024,
  idleTimeoutMs: 300_000,
} as const;

// Replies are flushed once this much is collected, so a client pipelining
// many requests cannot make the server buffer their replies without bound.
const FLUSH_BYTES = 64 * 1024;
// How long a closing client gets to take its last reply.
const CLOSE_GRACE_MS = 1000;
// Pause after a failed accept (e.g. out of file descriptors) before retrying.
const ACCEPT_RETRY_MS = 100;

interface Shared {
  cache: ConnectionCache;
  repository: FileRepository;
  digests: DigestCache;
  log: Logger;
  now: () => Date;
  maxLineBytes: number;
  idleTimeoutMs: number;
}

/** Errors that mean the peer went away, not that something is wrong here. */
function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.NotConnected;
}

/** One accepted client, from greeting to close. */
class ClientSession {
  readonly name: string;
  readonly #conn: Deno.TcpConn;
  readonly #shared: Shared;
  readonly #lines: LineBuffer;
  readonly #out = new ReplyBuffer();
  readonly #abort = new AbortController();
  #closed = false;
  #reading = false;
  #stopReason: string | null = null;
  #lastActive = Date.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(conn: Deno.TcpConn, name: string, shared: Shared) {
    this.#conn = conn;
    this.name = name;
    this.#shared = shared;
    this.#lines = new LineBuffer(shared.maxLineBytes);
  }

  /**
   * Asks the session to end with `421 <reason>`: at once when it is
   * waiting for a request, else after the reply it is writing. A transfer
   * in progress is cut, since nothing can be said in the middle of raw
   * bytes. A client that will not take the reply is closed after a grace.
   */
  stop(reason: string): void {
    if (this.#stopReason !== null || this.#closed) return;
    this.#stopReason = reason;
    this.#abort.abort();
    this.#graceTimer = setTimeout(() => this.#close(), CLOSE_GRACE_MS);
    if (this.#reading) {
      // The handler is parked in read(); nothing else is writing.
      this.#out.line(Code.Closing, reason);
      writeAll(this.#conn, this.#out.bytes()).catch(() => {}).finally(() =>
        this.#close()
      );
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }

  #checkIdle = (): void => {
    const timeout = this.#shared.idleTimeoutMs;
    const idle = Date.now() - this.#lastActive;
    if (idle >= timeout) {
      this.stop(`Idle timeout: no request for ${timeout / 1000} s; closing`);
    } else {
      this.#idleTimer = setTimeout(this.#checkIdle, timeout - idle);
    }
  };

  async #flush(): Promise<void> {
    if (this.#out.length === 0) return;
    await writeAll(this.#conn, this.#out.bytes());
    this.#out.clear();
  }

  /** Serves the client until it leaves; never throws. */
  async run(): Promise<void> {
    const { log } = this.#shared;
    try {
      this.#conn.setNoDelay(true);
      this.#out.line(Code.Greeting, `Connected as ${this.name}`);
      await this.#flush();
      if (this.#shared.idleTimeoutMs > 0) {
        this.#idleTimer = setTimeout(
          this.#checkIdle,
          this.#shared.idleTimeoutMs,
        );
      }
      await this.#serveRequests();
    } catch (error) {
      if (error instanceof LineTooLongError) {
        this.#out.clear();
        this.#out.line(Code.BadLine, `${error.message}; closing`);
        await this.#flush().catch(() => {});
      } else if (!this.#closed && !isDisconnect(error)) {
        log("ERROR", `${this.name}: ${escapeControl(String(error))}`);
      }
    } finally {
      clearTimeout(this.#idleTimer);
      clearTimeout(this.#graceTimer);
      this.#close();
      const at = this.#shared.now();
      this.#shared.cache.disconnect(this.name, at);
      log("DISCONNECTED", `${this.name} at ${formatTimestamp(at)}`);
    }
  }

  async #serveRequests(): Promise<void> {
    const lines = this.#lines;
    const out = this.#out;
    for (;;) {
      if (this.#stopReason !== null) {
        out.line(Code.Closing, this.#stopReason);
        await this.#flush();
        return;
      }
      const space = lines.space();
      this.#reading = true;
      let n: number | null;
      try {
        n = await this.#conn.read(space);
      } finally {
        this.#reading = false;
      }
      // stop() has taken over the socket while we were reading.
      if (n === null || this.#stopReason !== null) return;
      lines.filled(n);
      let handled = false;
      while (lines.next()) {
        handled = true;
        const bytes = lines.bytes;
        const start = lines.lineStart;
        const end = lines.lineEnd;
        let command;
        try {
          command = parseCommand(bytes, start, end);
        } catch {
          out.line(Code.BadLine, "Line is not valid UTF-8; it was ignored");
          continue;
        }
        switch (command.kind) {
          case "echo":
            if (isUtf8(bytes, start, end)) out.echo(bytes, start, end);
            else {out.line(
                Code.BadLine,
                "Line is not valid UTF-8; it was ignored",
              );}
            break;
          case "status": {
            const { lines: table, summary } = formatStatus(
              this.#shared.cache.records(),
              this.#shared.now(),
            );
            out.lines(Code.Status, table, summary);
            break;
          }
          case "exit":
            out.line(Code.Goodbye, `Goodbye ${this.name}`);
            await this.#flush();
            return;
          case "list":
            await this.#list();
            break;
          case "get":
            await this.#get(command.name);
            break;
        }
        if (out.length >= FLUSH_BYTES) await this.#flush();
      }
      if (handled) this.#lastActive = Date.now();
      await this.#flush();
    }
  }

  async #list(): Promise<void> {
    const entries = await this.#shared.repository.list();
    if (entries.length === 0) {
      this.#out.line(Code.List, "No files to offer: the folder is empty");
      return;
    }
    const rows = entries.map((entry) => [
      escapeControl(entry.name),
      formatBytes(entry.size) as string,
      entry.modified ? formatTimestamp(entry.modified) : "-",
    ]);
    const total = entries.reduce((sum, entry) => sum + entry.size, 0);
    const noun = entries.length === 1 ? "file" : "files";
    this.#out.lines(
      Code.List,
      alignColumns(rows, { right: [1] }),
      `${entries.length} ${noun}, ${
        formatBytes(total)
      }; download one with: get <name>`,
    );
  }

  async #get(name: string): Promise<void> {
    const out = this.#out;
    if (name === "") {
      out.line(Code.BadArguments, "Usage: get <name> (names come from 'list')");
      return;
    }
    const { repository, digests, log } = this.#shared;
    let opened;
    try {
      opened = await repository.openFile(name);
    } catch (error) {
      if (!(error instanceof FileRefusal)) throw error;
      out.line(error.code, error.message);
      log("DOWNLOAD", `${this.name} refused: ${escapeControl(error.message)}`);
      return;
    }
    const { file, path, info } = opened;
    try {
      const known = digests.get(path, info);
      out.line(Code.FileHeader, formatFileHeader(info.size, name));
      await this.#flush();
      const digest = await streamFile(file, info.size, async (chunk) => {
        await writeAll(this.#conn, chunk);
        this.#lastActive = Date.now();
      }, { hash: known === null, signal: this.#abort.signal });
      out.line(Code.FileDone, formatFileTrailer(known ?? digest!));
      if (known === null) {
        const after = await file.stat();
        if (after.mtime?.getTime() === info.mtime?.getTime()) {
          digests.set(path, after, digest!);
        }
      }
      log(
        "DOWNLOAD",
        `${this.name} got ${escapeControl(name)} (${formatBytes(info.size)})`,
      );
    } finally {
      file.close();
    }
  }
}

/**
 * Starts a server and returns once it listens.
 *
 * @throws {RepositoryError} if the files folder cannot be served.
 * @throws {Deno.errors.AddrInUse} if the port is taken.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const {
    hostname = DEFAULTS.hostname,
    port = DEFAULTS.port,
    maxClients = DEFAULTS.maxClients,
    filesDir = DEFAULTS.filesDir,
    maxLineBytes = DEFAULTS.maxLineBytes,
    idleTimeoutMs = DEFAULTS.idleTimeoutMs,
    log = () => {},
    now = () => new Date(),
  } = options;
  const repository = await FileRepository.open(filesDir);
  const listener = Deno.listen({ hostname, port, transport: "tcp" });
  const addr = listener.addr;
  const cache = new ConnectionCache();
  const shared: Shared = {
    cache,
    repository,
    digests: new DigestCache(),
    log,
    now,
    maxLineBytes,
    idleTimeoutMs,
  };
  const namer = new ClientNamer();
  const sessions = new Set<ClientSession>();
  const running = new Set<Promise<void>>();
  let stopping = false;

  log("SERVER", `Listening on ${formatAddress(addr)}`);

  // The same words for every client turned away, encoded once.
  const full = new ReplyBuffer(128);
  full.line(
    Code.Closing,
    `Server is full: ${maxClients} of ${maxClients} clients connected; try again later`,
  );
  const fullReply = full.bytes();

  function reject(conn: Deno.TcpConn): void {
    const remote = formatAddress(conn.remoteAddr);
    log("REJECTED", `${remote}: server full (${maxClients} of ${maxClients})`);
    const done = writeAll(conn, fullReply)
      .catch(() => {})
      .finally(() => {
        conn.close();
        running.delete(done);
      });
    running.add(done);
  }

  function admit(conn: Deno.TcpConn): void {
    const name = namer.next();
    const remote = formatAddress(conn.remoteAddr);
    cache.connect(name, remote, now());
    log("NEW CONNECTION", `${name} connected from ${remote}`);
    const session = new ClientSession(conn, name, shared);
    sessions.add(session);
    const done = session.run().finally(() => {
      sessions.delete(session);
      running.delete(done);
    });
    running.add(done);
  }

  async function acceptLoop(): Promise<void> {
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource) break;
        log("ERROR", `Accept failed: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (stopping) conn.close();
      else if (sessions.size >= maxClients) reject(conn);
      else admit(conn);
    }
  }

  const accepting = acceptLoop();
  const closed = (async () => {
    await accepting;
    while (running.size > 0) await Promise.all(running);
  })();

  async function shutdown(): Promise<void> {
    if (!stopping) {
      stopping = true;
      listener.close();
      for (const session of sessions) session.stop("Server is shutting down");
    }
    await closed;
  }

  return {
    addr,
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
  -h, --help           Show this help

Stop it with Ctrl+C: every client is told and the server exits with 0.`;

const LOG_COLORS: Record<LogKind, (text: string) => string> = {
  "SERVER": colors.cyan,
  "NEW CONNECTION": colors.green,
  "DISCONNECTED": colors.yellow,
  "REJECTED": colors.magenta,
  "DOWNLOAD": colors.blue,
  "ERROR": colors.red,
};

function printLog(kind: LogKind, message: string): void {
  console.log(`${LOG_COLORS[kind](`[${kind}]`)} ${message}`);
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, [
    "host",
    "port",
    "max-clients",
    "files",
    "max-line",
    "idle-timeout",
  ]);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const { values } = flags;
  const port = integerFlag("port", values.port, {
    min: 0,
    max: 65535,
    fallback: DEFAULTS.port,
  });
  const maxClients = integerFlag("max-clients", values["max-clients"], {
    min: 1,
    max: 1_000_000,
    fallback: DEFAULTS.maxClients,
  });
  const maxLineBytes = integerFlag("max-line", values["max-line"], {
    min: 16,
    max: 64 * 1024 * 1024,
    fallback: DEFAULTS.maxLineBytes,
  });
  const idleTimeoutSeconds = integerFlag(
    "idle-timeout",
    values["idle-timeout"],
    {
      min: 0,
      max: 24 * 3600,
      fallback: DEFAULTS.idleTimeoutMs / 1000,
    },
  );
  colors.setColorEnabled(Deno.stdout.isTerminal());
  const hostname = values.host ?? DEFAULTS.hostname;
  let server: Server;
  try {
    server = await serve({
      hostname,
      port,
      maxClients,
      filesDir: values.files ?? DEFAULTS.filesDir,
      maxLineBytes,
      idleTimeoutMs: idleTimeoutSeconds * 1000,
      log: printLog,
    });
  } catch (error) {
    if (error instanceof RepositoryError) {
      throw new UserFacingError(error.message);
    }
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UserFacingError(
        `Port ${port} is already in use on ${hostname}; stop the program using it or pick another with --port`,
      );
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new UserFacingError(
        `No permission to listen on ${hostname}:${port}; run with --allow-net=${hostname}`,
      );
    }
    if (error instanceof Error && error.name === "AddrNotAvailable") {
      throw new UserFacingError(
        `Cannot listen on ${hostname}: ${error.message}`,
      );
    }
    throw error;
  }
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    printLog("SERVER", "Shutting down");
    server.shutdown();
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  await server.closed;
  for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  printLog("SERVER", "Stopped");
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
