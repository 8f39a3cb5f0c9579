/**
 * The server's log: kinds of line, and the logger the program uses. Text
 * that came from a client arrives here already escaped.
 *
 * Logging never holds up serving: lines are queued and written without
 * blocking, so a log nobody reads (a full pipe, a terminal paused with
 * Ctrl+S) only fills a bounded queue; lines that do not fit are dropped,
 * counted, and the count is logged once the output moves again. Each line
 * is capped in length.
 *
 * @module
 */

import { colors } from "../common/mod.ts";

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

const KIND_COLORS: Record<LogKind, (text: string) => string> = {
  "SERVER": colors.cyan,
  "NEW CONNECTION": colors.green,
  "DISCONNECTED": colors.yellow,
  "REJECTED": colors.magenta,
  "DOWNLOAD": colors.blue,
  "ERROR": colors.red,
};

/** Formats a log line as the course's server printed it: `[KIND] message`. */
export function formatLogLine(kind: LogKind, message: string): string {
  return `${KIND_COLORS[kind](`[${kind}]`)} ${message}`;
}

/** Longest message logged, in characters; the rest is cut and counted. */
export const MAX_LOG_MESSAGE = 1000;
/** Most bytes of log lines waiting for a slow output. */
export const MAX_LOG_QUEUE_BYTES = 1024 * 1024;

/** Cuts `message` to {@linkcode MAX_LOG_MESSAGE} characters, saying so. */
export function capLogMessage(message: string): string {
  if (message.length <= MAX_LOG_MESSAGE) return message;
  const cut = message.length - MAX_LOG_MESSAGE;
  return `${message.slice(0, MAX_LOG_MESSAGE)}… (${cut} more characters)`;
}

/** Where a {@linkcode QueuedLog} writes: `Deno.stdout`, or a test's own. */
export interface LogOutput {
  /** Writes some of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** A log whose writes never block the caller (see the module docs). */
export class QueuedLog {
  /** The logger to hand to the server. */
  readonly log: Logger = (kind, message) => this.#add(kind, message);

  readonly #output: LogOutput;
  readonly #maxQueued: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #dropped = 0;
  #writing: Promise<void> = Promise.resolve();
  #draining = false;
  #broken = false;

  /** Writes to `output`, queueing at most `maxQueuedBytes`. */
  constructor(output: LogOutput, maxQueuedBytes = MAX_LOG_QUEUE_BYTES) {
    this.#output = output;
    this.#maxQueued = maxQueuedBytes;
  }

  /** Lines dropped since the last report of them. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves once every queued line is written (or the output failed). */
  async flushed(): Promise<void> {
    while (this.#draining) await this.#writing;
  }

  #add(kind: LogKind, message: string): void {
    const line = encoder.encode(
      formatLogLine(kind, capLogMessage(message)) + "\n",
    );
    if (this.#broken || this.#queued + line.length > this.#maxQueued) {
      this.#dropped++;
      return;
    }
    this.#queue.push(line);
    this.#queued += line.length;
    if (!this.#draining) {
      this.#draining = true;
      this.#writing = this.#drain();
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const chunk = concat(this.#queue);
        this.#queue = [];
        for (let at = 0; at < chunk.length;) {
          at += await this.#output.write(chunk.subarray(at));
        }
        this.#queued -= chunk.length;
        if (this.#queue.length === 0 && this.#dropped > 0) this.#reportDrops();
      }
    } catch {
      // The output is gone (a closed pipe): nothing more can be logged.
      this.#broken = true;
      this.#queue = [];
      this.#queued = 0;
    } finally {
      // Before this call's promise settles: a line added from now on
      // starts a new drain.
      this.#draining = false;
    }
  }

  #reportDrops(): void {
    const count = this.#dropped;
    this.#dropped = 0;
    const line = encoder.encode(
      formatLogLine(
        "ERROR",
        `${count} log line${
          count === 1 ? "" : "s"
        } dropped: the log output was not keeping up`,
      ) + "\n",
    );
    this.#queue.push(line);
    this.#queued += line.length;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A logger that prints each line on stdout at once, blocking while stdout
 * is full: for the few lines before and after serving.
 */
export const consoleLogger: Logger = (kind, message) => {
  console.log(formatLogLine(kind, capLogMessage(message)));
};
