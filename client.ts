/**
 * The ackline client: connects, sends lines, reads replies, downloads files.
 *
 * @example Usage
 * ```ts ignore
 * import { connect } from "./client.ts";
 *
 * const session = await connect({ port: 12345 });
 * const reply = await session.request("hello world");
 * console.log(reply.lines[0]); // hello worldACK
 * await session.close();
 * ```
 *
 * @module
 */

import { format as formatBytes } from "@std/fmt/bytes";
import * as colors from "@std/fmt/colors";
import {
  integerFlag,
  parseFlags,
  runProgram,
  UserFacingError,
} from "./lib/cli.ts";
import { PartialFile, VerificationError } from "./lib/download.ts";
import { readLines, writeAll } from "./lib/io.ts";
import { LineBuffer } from "./lib/line_buffer.ts";
import {
  Code,
  type FileHeader,
  parseFileHeader,
  parseFileTrailer,
  parseReplyLine,
} from "./lib/protocol.ts";
import { ProgressBar } from "./lib/progress.ts";
import { escapeControl, formatMilliseconds } from "./lib/terminal.ts";

/** A complete reply: its code and the text of each line. */
export interface Reply {
  /** The reply code, e.g. 250. */
  code: number;
  /** The text of each line, without code and separator. */
  lines: string[];
}

/** Thrown when the connection ends; the message says how. */
export class ConnectionClosedError extends Error {
  /** Creates the error with the reason the connection ended. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionClosedError";
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

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** Server address. Default `127.0.0.1`. */
  hostname?: string;
  /** Server port. Default `12345`. */
  port?: number;
  /** Give up on a reply after this long without a byte from the server. Default 30 s. */
  replyTimeoutMs?: number;
}

/** What a successful download produced. */
export interface DownloadResult {
  /** Where the file was saved. */
  path: string;
  /** The name it was saved under. */
  name: string;
  /** Its size in bytes. */
  size: number;
  /** Its SHA-256, verified, as lowercase hex. */
  sha256: string;
  /** How long the transfer took, in milliseconds. */
  elapsedMs: number;
}

/** Options of {@linkcode Session.download}. */
export interface DownloadOptions {
  /** Folder to save into, created when needed. Default `./downloads`. */
  dir?: string;
  /** Called after each chunk with bytes received and bytes announced. */
  onProgress?: (received: number, size: number) => void;
}

interface Waiter {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  /** For `get`: receives the header and returns where the bytes go. */
  onHeader?(header: FileHeader): Promise<(chunk: Uint8Array) => Promise<void>>;
}

/** Longest reply line the client accepts: an echo of a long line fits. */
const MAX_REPLY_LINE = 16 * 1024 * 1024;
const PAYLOAD_CHUNK = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A connection to an ackline server, greeted and named. */
export class Session {
  /** The name the server gave this client, e.g. `Client01`. */
  name = "";
  /** Resolves with the reason once the connection has ended. */
  readonly closed: Promise<string>;

  readonly #conn: Deno.TcpConn;
  readonly #lines = new LineBuffer(MAX_REPLY_LINE);
  readonly #waiters: Waiter[] = [];
  readonly #replyTimeoutMs: number;
  #closeReason: string | null = null;
  #closedByUs = false;
  #lastData = Date.now();
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  /** Use {@linkcode connect}. */
  constructor(conn: Deno.TcpConn, replyTimeoutMs: number) {
    this.#conn = conn;
    this.#replyTimeoutMs = replyTimeoutMs;
    this.closed = this.#pump();
  }

  /** Waits for the greeting; throws if the server turned the client away. */
  async greeting(): Promise<Reply> {
    const reply = await this.#expect();
    if (reply.code !== Code.Greeting) throw new ReplyError(reply);
    this.name = reply.lines[0].replace(/^Connected as /, "");
    return reply;
  }

  /**
   * Sends one line and resolves with its reply (error replies included).
   *
   * @throws {ConnectionClosedError} if the connection ends first.
   */
  async request(line: string): Promise<Reply> {
    const reply = this.#expect();
    await this.#send(line);
    return await reply;
  }

  /**
   * Downloads `name` into a folder, verifying size and SHA-256 before the
   * file appears under its final name.
   *
   * @throws {ReplyError} if the server refuses the name.
   * @throws {VerificationError} if the bytes do not match.
   * @throws {ConnectionClosedError} if the connection ends first.
   */
  async download(
    name: string,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    const { dir = "./downloads", onProgress } = options;
    let partial: PartialFile | undefined;
    let saveError: Error | undefined;
    const started = performance.now();
    const reply = this.#expect(async (header) => {
      try {
        partial = await PartialFile.create(dir, header.name, header.size);
      } catch (error) {
        saveError = error as Error;
      }
      onProgress?.(0, header.size);
      return async (chunk) => {
        if (!partial || saveError) return; // drain to stay in step
        try {
          await partial.write(chunk);
          onProgress?.(partial.received, partial.size);
        } catch (error) {
          saveError = error as Error;
        }
      };
    });
    try {
      await this.#send(`get ${name}`);
      const trailer = await reply;
      if (trailer.code !== Code.FileDone) throw new ReplyError(trailer);
      if (saveError) throw saveError;
      if (!partial) throw new VerificationError("No file header arrived");
      const sha256 = parseFileTrailer(trailer.lines[0]);
      if (sha256 === null) {
        throw new VerificationError(
          `Malformed trailer: ${escapeControl(trailer.lines[0])}`,
        );
      }
      const path = await partial.finish(sha256);
      return {
        path,
        name: path.slice(
          Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1,
        ),
        size: partial.size,
        sha256,
        elapsedMs: performance.now() - started,
      };
    } finally {
      await partial?.discard();
    }
  }

  /** Closes the connection; pending requests fail. */
  async close(): Promise<void> {
    if (!this.#closedByUs && this.#closeReason === null) {
      this.#closedByUs = true;
      try {
        this.#conn.close();
      } catch {
        // Already closed by the read loop.
      }
    }
    await this.closed;
  }

  #expect(onHeader?: Waiter["onHeader"]): Promise<Reply> {
    if (this.#closeReason !== null) {
      return Promise.reject(new ConnectionClosedError(this.#closeReason));
    }
    return new Promise<Reply>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, onHeader });
      this.#armWatchdog();
    });
  }

  async #send(line: string): Promise<void> {
    await writeAll(this.#conn, encoder.encode(line + "\n"));
  }

  #armWatchdog(): void {
    if (this.#watchdog !== undefined || this.#replyTimeoutMs <= 0) return;
    this.#lastData = Date.now();
    const check = () => {
      this.#watchdog = undefined;
      if (this.#waiters.length === 0) return;
      const quiet = Date.now() - this.#lastData;
      if (quiet >= this.#replyTimeoutMs) {
        this.#fail(
          `No reply from the server for ${this.#replyTimeoutMs / 1000} s`,
        );
      } else {
        this.#watchdog = setTimeout(check, this.#replyTimeoutMs - quiet);
      }
    };
    this.#watchdog = setTimeout(check, this.#replyTimeoutMs);
  }

  #fail(reason: string): void {
    this.#closeReason ??= reason;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #read(buf: Uint8Array): Promise<number | null> {
    const n = await this.#conn.read(buf);
    this.#lastData = Date.now();
    return n;
  }

  /** Reads replies until the connection ends, handing each to its waiter. */
  async #pump(): Promise<string> {
    const lines = this.#lines;
    let pending: Reply | null = null;
    try {
      for (;;) {
        const n = await this.#read(lines.space());
        if (n === null) break;
        lines.filled(n);
        while (lines.next()) {
          const text = decoder.decode(lines.line());
          const line = parseReplyLine(text);
          if (!line || (pending && pending.code !== line.code)) {
            throw new Error(
              `Unexpected line from the server: ${
                escapeControl(text.slice(0, 80))
              }`,
            );
          }
          pending ??= { code: line.code, lines: [] };
          pending.lines.push(line.text);
          if (!line.last) continue;
          const reply: Reply = pending;
          pending = null;
          if (reply.code === Code.FileHeader) await this.#receivePayload(reply);
          else this.#deliver(reply);
        }
      }
      this.#closeReason ??= "Server closed the connection";
    } catch (error) {
      this.#closeReason ??= this.#closedByUs
        ? "Connection closed"
        : error instanceof Deno.errors.ConnectionReset
        ? "Server reset the connection"
        : error instanceof Error
        ? error.message
        : String(error);
    } finally {
      clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
      try {
        this.#conn.close();
      } catch {
        // Already closed by close() or #fail().
      }
      for (const waiter of this.#waiters.splice(0)) {
        waiter.reject(new ConnectionClosedError(this.#closeReason!));
      }
    }
    return this.#closeReason!;
  }

  #deliver(reply: Reply): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve(reply);
    } else if (reply.code === Code.Closing) {
      // Unasked: the server is about to close (shutting down, idle).
      this.#closeReason = reply.lines.join(" ");
    } else {
      throw new Error(`Unexpected reply from the server: ${reply.code}`);
    }
  }

  async #receivePayload(reply: Reply): Promise<void> {
    const waiter = this.#waiters[0];
    const header = parseFileHeader(reply.lines[0]);
    if (!waiter?.onHeader || !header) {
      throw new Error("Unexpected file data from the server");
    }
    const sink = await waiter.onHeader(header);
    let remaining = header.size;
    const buffered = this.#lines.take(remaining);
    remaining -= buffered.length;
    if (buffered.length > 0) await sink(buffered);
    if (remaining === 0) return;
    const buf = new Uint8Array(Math.min(PAYLOAD_CHUNK, remaining));
    while (remaining > 0) {
      const n = await this.#read(
        buf.subarray(0, Math.min(buf.length, remaining)),
      );
      if (n === null) {
        throw new Error(
          `Server closed the connection with ${remaining} of ${header.size} bytes still to come`,
        );
      }
      remaining -= n;
      await sink(buf.subarray(0, n));
    }
  }
}

/**
 * Connects to a server and waits for its greeting.
 *
 * @throws {ReplyError} if the server turns the client away (e.g. full).
 * @throws {Deno.errors.ConnectionRefused} if no server listens there.
 */
export async function connect(options: ConnectOptions = {}): Promise<Session> {
  const { hostname = "127.0.0.1", port = 12345, replyTimeoutMs = 30_000 } =
    options;
  const conn = await Deno.connect({ hostname, port, transport: "tcp" });
  conn.setNoDelay(true);
  const session = new Session(conn, replyTimeoutMs);
  try {
    await session.greeting();
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

const PROMPT =
  "> Enter message (or 'exit' to quit, 'status' for client information) ";
const HINT =
  "Type a message to have it echoed with ACK, or: status, list, get <name>, help, exit";

const HELP = `ackline client: talks to an ackline server.

Usage: deno task client [options]

Options:
  --host HOST        Server address (default 127.0.0.1)
  --port PORT        Server port (default 12345)
  --downloads DIR    Folder for downloaded files (default ./downloads)
  --timeout SEC      Give up on a silent server after this long, 0 for never
                     (default 30)
  -h, --help         Show this help

At the prompt: any message is echoed with ACK; 'status' shows the server's
clients; 'list' shows its files; 'get <name>' downloads one; 'help' shows
this list; 'exit' (or Ctrl+D, or Ctrl+C) quits.
With input from a pipe it sends each line in turn and prints every reply.`;

function connectError(error: unknown, where: string): Error {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new UserFacingError(
      `Cannot connect to ${where}: connection refused (is the server running?)`,
    );
  }
  if (error instanceof ReplyError || error instanceof ConnectionClosedError) {
    return new UserFacingError(escapeControl(error.message));
  }
  if (error instanceof Error && !(error instanceof TypeError)) {
    return new UserFacingError(`Cannot connect to ${where}: ${error.message}`);
  }
  return error as Error;
}

async function runGet(
  session: Session,
  name: string,
  dir: string,
  showProgress: boolean,
): Promise<boolean> {
  const progress = showProgress
    ? new ProgressBar(
      escapeControl(name),
      (text) => Deno.stdout.writeSync(encoder.encode(text)),
    )
    : null;
  try {
    const result = await session.download(name, {
      dir,
      onProgress: (received, size) => progress?.update(received, size),
    });
    progress?.clear();
    console.log(
      `Saved ${escapeControl(result.name)} (${formatBytes(result.size)}) in ${
        formatMilliseconds(result.elapsedMs)
      }, SHA-256 verified`,
    );
    return true;
  } catch (error) {
    progress?.clear();
    if (error instanceof ReplyError) {
      printReply(error.reply);
      return false;
    }
    if (error instanceof ConnectionClosedError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      colors.red(
        `error: Download of ${
          escapeControl(name)
        } failed: ${reason}; nothing was saved`,
      ),
    );
    return false;
  }
}

function printReply(reply: Reply): void {
  const failed = reply.code >= 400;
  for (const line of reply.lines) {
    const text = escapeControl(line);
    console.log(failed ? colors.red(text) : text);
  }
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["host", "port", "downloads", "timeout"]);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const { values } = flags;
  const hostname = values.host ?? "127.0.0.1";
  const port = integerFlag("port", values.port, {
    min: 1,
    max: 65535,
    fallback: 12345,
  });
  const timeoutSeconds = integerFlag("timeout", values.timeout, {
    min: 0,
    max: 24 * 3600,
    fallback: 30,
  });
  const dir = values.downloads ?? "./downloads";
  const interactive = Deno.stdin.isTerminal();
  colors.setColorEnabled(Deno.stdout.isTerminal());

  const where = `${hostname}:${port}`;
  let session: Session;
  try {
    session = await connect({
      hostname,
      port,
      replyTimeoutMs: timeoutSeconds * 1000,
    });
  } catch (error) {
    throw connectError(error, where);
  }
  // Ctrl+C closes the session from the moment it exists, before anything
  // tells the user it is there.
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    session.close();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  console.log(`Connected as ${escapeControl(session.name)}`);
  if (interactive) console.log(colors.dim(HINT));
  const input = readLines(Deno.stdin);
  const closed = session.closed.then((reason) => ({ closed: reason }));
  let failures = 0;
  try {
    for (;;) {
      if (interactive) {
        await writeAll(Deno.stdout, encoder.encode(PROMPT));
      }
      const next = await Promise.race([input.next(), closed]);
      if ("closed" in next) {
        if (interactive) console.log(); // end the prompt's line
        if (interrupted) return 0;
        console.error(colors.red(`error: ${escapeControl(next.closed)}`));
        return 1;
      }
      if (next.done) {
        if (interactive) console.log(); // end the prompt's line
        break;
      }
      const line = next.value;
      if (line === "help") {
        console.log(HINT);
        continue;
      }
      if (line === "get" || line.startsWith("get ")) {
        const ok = await runGet(
          session,
          line.slice(4).trim(),
          dir,
          interactive && Deno.stdout.isTerminal(),
        );
        if (!ok) failures++;
        continue;
      }
      const reply = await session.request(line);
      printReply(reply);
      if (reply.code === Code.Goodbye) break;
      if (reply.code === Code.Closing) return 1;
    }
  } catch (error) {
    if (!(error instanceof ConnectionClosedError)) throw error;
    if (interrupted) return 0;
    console.error(colors.red(`error: ${escapeControl(error.message)}`));
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  await session.close();
  // A script learns of a failed download from the exit code; a person saw it.
  return failures > 0 && !interactive ? 1 : 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
