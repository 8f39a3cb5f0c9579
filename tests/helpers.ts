/**
 * Test helpers: a server on port 0 over a temporary folder, a raw TCP
 * client that reads replies exactly as they arrive, and bounded waits.
 *
 * @module
 */

import { LineBuffer } from "../lib/line_buffer.ts";
import { parseReplyLine, type ReplyLine } from "../lib/protocol.ts";
import {
  type LogKind,
  serve,
  type ServeOptions,
  type Server,
} from "../server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Upper bound on any single wait in a test: a broken build fails, not hangs. */
export const WAIT_MS = 10_000;

/** Resolves like `promise`, or rejects after `ms` naming what was awaited. */
export async function within<T>(
  promise: Promise<T>,
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A log line the test server wrote. */
export interface LogEntry {
  kind: LogKind;
  message: string;
}

/** A server for one test, with its log and a way to wait on log lines. */
export interface TestServer extends AsyncDisposable {
  server: Server;
  port: number;
  filesDir: string;
  logs: LogEntry[];
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(kind: LogKind, pattern?: RegExp | string): Promise<LogEntry>;
}

/** Starts a server on 127.0.0.1 port 0 over a fresh temporary folder. */
export async function startServer(
  options: ServeOptions & { files?: Record<string, string | Uint8Array> } = {},
): Promise<TestServer> {
  const filesDir = options.filesDir ??
    await Deno.makeTempDir({ prefix: "ackline-files-" });
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const path = `${filesDir}/${name}`;
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
  }
  const logs: LogEntry[] = [];
  const listeners: (() => void)[] = [];
  const server = await serve({
    port: 0,
    ...options,
    filesDir,
    log(kind, message) {
      logs.push({ kind, message });
      for (const listener of listeners.splice(0)) listener();
    },
  });
  function matches(entry: LogEntry, kind: LogKind, pattern?: RegExp | string) {
    if (entry.kind !== kind) return false;
    if (pattern === undefined) return true;
    return typeof pattern === "string"
      ? entry.message.includes(pattern)
      : pattern.test(entry.message);
  }
  function waitForLog(kind: LogKind, pattern?: RegExp | string) {
    return within(
      new Promise<LogEntry>((resolve) => {
        const check = () => {
          const found = logs.find((entry) => matches(entry, kind, pattern));
          if (found) resolve(found);
          else listeners.push(check);
        };
        check();
      }),
      `log [${kind}] ${pattern ?? ""}`,
    );
  }
  return {
    server,
    port: server.addr.port,
    filesDir,
    logs,
    waitForLog,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      if (options.filesDir === undefined) {
        await Deno.remove(filesDir, { recursive: true });
      }
    },
  };
}

/** A complete reply as read off the wire. */
export interface RawReply {
  code: number;
  lines: string[];
}

/** A plain TCP client that reads replies line by line, for exact checks. */
export class RawClient implements Disposable {
  readonly conn: Deno.TcpConn;
  readonly #lines = new LineBuffer(64 * 1024 * 1024);

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Connects to 127.0.0.1 on `port`. */
  static async connect(
    port: number,
    hostname = "127.0.0.1",
  ): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname, port }));
  }

  /** Connects and reads the greeting. */
  static async greeted(
    port: number,
  ): Promise<{ client: RawClient; name: string }> {
    const client = await RawClient.connect(port);
    const greeting = await client.reply();
    if (greeting.code !== 220) {
      client.close();
      throw new Error(
        `Expected a greeting, got ${greeting.code} ${greeting.lines}`,
      );
    }
    return { client, name: greeting.lines[0].replace("Connected as ", "") };
  }

  /** Sends raw bytes or a string as is. */
  async write(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? encoder.encode(data) : data;
    while (bytes.length > 0) {
      bytes = bytes.subarray(await this.conn.write(bytes));
    }
  }

  /** Sends one line terminated by LF. */
  send(line: string): Promise<void> {
    return this.write(line + "\n");
  }

  /** Reads the next raw line (bytes, terminator removed), or null at EOF. */
  async rawLine(): Promise<Uint8Array | null> {
    const read = async () => {
      for (;;) {
        if (this.#lines.next()) return this.#lines.line().slice();
        const n = await this.conn.read(this.#lines.space());
        if (n === null) return null;
        this.#lines.filled(n);
      }
    };
    return await within(read(), "a line from the server");
  }

  /** Reads one reply line, or null at EOF. */
  async replyLine(): Promise<ReplyLine | null> {
    const raw = await this.rawLine();
    if (raw === null) return null;
    const line = parseReplyLine(decoder.decode(raw));
    if (!line) throw new Error(`Not a reply line: ${decoder.decode(raw)}`);
    return line;
  }

  /** Reads one complete reply; throws at EOF. */
  async reply(): Promise<RawReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.replyLine();
      if (line === null) throw new Error("Connection closed before a reply");
      lines.push(line.text);
      if (line.last) return { code: line.code, lines };
    }
  }

  /** Sends a line and reads its reply. */
  async request(line: string): Promise<RawReply> {
    await this.send(line);
    return await this.reply();
  }

  /** Reads exactly `size` raw bytes (a download's payload). */
  async bytes(size: number): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    const first = this.#lines.take(size);
    out.set(first);
    let got = first.length;
    while (got < size) {
      const n = await within(
        this.conn.read(out.subarray(got)),
        "payload bytes",
      );
      if (n === null) {
        throw new Error(`Connection closed after ${got} of ${size} bytes`);
      }
      got += n;
    }
    return out;
  }

  /** Resolves once the server has closed the connection (EOF or reset). */
  async closed(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    const drain = async () => {
      try {
        while (await this.conn.read(buf) !== null) { /* discard */ }
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      }
    };
    await within(drain(), "the server to close the connection");
  }

  /** Closes the connection (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Hex SHA-256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ackline-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The names in a folder, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}
