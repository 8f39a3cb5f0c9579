/**
 * A server for one test: started in this process on 127.0.0.1 port 0 over
 * a fresh temporary folder, with its log kept for assertions.
 *
 * @module
 */

import {
  type LogKind,
  serve,
  type ServeOptions,
  type Server,
} from "../../server.ts";
import { within } from "../../tools/wait.ts";
import { type FileContent, writeContent } from "./files.ts";

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
  /** Resolves once the server has logged that client `name` is gone. */
  disconnected(name: string): Promise<LogEntry>;
  /** Resolves once `count` lines of `kind` have been logged. */
  waitForLogCount(kind: LogKind, count: number): Promise<void>;
}

/** Options of {@linkcode startServer}. */
export interface TestServerOptions extends ServeOptions {
  /** Files to create in the temporary folder, by name. */
  files?: Record<string, FileContent>;
}

function matches(
  entry: LogEntry,
  kind: LogKind,
  pattern?: RegExp | string,
): boolean {
  if (entry.kind !== kind) return false;
  if (pattern === undefined) return true;
  return typeof pattern === "string"
    ? entry.message.includes(pattern)
    : pattern.test(entry.message);
}

/**
 * Starts a server on 127.0.0.1 port 0 over a fresh temporary folder (or
 * `options.filesDir`); disposing of it shuts it down, within a bound.
 */
export async function startServer(
  options: TestServerOptions = {},
): Promise<TestServer> {
  const filesDir = options.filesDir ??
    await Deno.makeTempDir({ prefix: "ackline-files-" });
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await writeContent(`${filesDir}/${name}`, content);
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
  /** Resolves with `found()` once it returns something, checking per line. */
  function until<T>(found: () => T | undefined, what: string): Promise<T> {
    return within(
      new Promise<T>((resolve) => {
        const check = () => {
          const result = found();
          if (result !== undefined) resolve(result);
          else listeners.push(check);
        };
        check();
      }),
      what,
    );
  }
  function waitForLog(kind: LogKind, pattern?: RegExp | string) {
    return until(
      () => logs.find((entry) => matches(entry, kind, pattern)),
      `log [${kind}] ${pattern ?? ""}`,
    );
  }
  async function waitForLogCount(kind: LogKind, count: number) {
    await until(
      () =>
        logs.filter((entry) => entry.kind === kind).length >= count ||
        undefined,
      `${count} log lines [${kind}]`,
    );
  }
  return {
    server,
    port: server.addr.port,
    filesDir,
    logs,
    waitForLog,
    waitForLogCount,
    disconnected: (name) => waitForLog("DISCONNECTED", `${name} at `),
    async [Symbol.asyncDispose]() {
      try {
        await within(server.shutdown(), "the server to shut down");
      } finally {
        if (options.filesDir === undefined) {
          await Deno.remove(filesDir, { recursive: true });
        }
      }
    },
  };
}
