/**
 * The server's log: kinds of line, their levels and forms, and the logger
 * the program uses, which never holds up serving (see `log_queue.ts`).
 * Text that came from a client arrives here already escaped; each line is
 * capped in length.
 *
 * @module
 */

import {
  type Clock,
  colors,
  formatIsoTime,
  formatTimestamp,
  SYSTEM_CLOCK,
} from "../common/mod.ts";
import { type LogOutput, QueuedLog } from "./log_queue.ts";

/** Kinds of log line, shown in brackets: `[NEW CONNECTION] …`. */
export type LogKind =
  | "SERVER"
  | "NEW CONNECTION"
  | "DISCONNECTED"
  | "REJECTED"
  | "DOWNLOAD"
  | "HELLO"
  | "REQUEST"
  | "WARNING"
  | "ERROR";

/** How much a line matters: `--quiet` keeps warnings and errors, `--verbose` adds debug. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Facts of a log line for programs: `{ client: "Client01", bytes: 10 }`. */
export type LogFields = Readonly<
  Record<string, string | number | boolean | null>
>;

/**
 * Receives each log line; text from clients arrives already escaped.
 * `fields` repeat the message's facts for the JSON form.
 */
export type Logger = (
  kind: LogKind,
  message: string,
  fields?: LogFields,
) => void;

/** The level of each kind of line. */
export const KIND_LEVELS: Readonly<Record<LogKind, LogLevel>> = {
  "SERVER": "info",
  "NEW CONNECTION": "info",
  "DISCONNECTED": "info",
  "REJECTED": "warn",
  "DOWNLOAD": "info",
  "HELLO": "info",
  "REQUEST": "debug",
  "WARNING": "warn",
  "ERROR": "error",
};

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};

/** Whether a line of `kind` is logged at `threshold`. */
export function isLogged(kind: LogKind, threshold: LogLevel): boolean {
  return LEVEL_RANK[KIND_LEVELS[kind]] >= LEVEL_RANK[threshold];
}

/** The two forms of the log: for people, or one JSON object a line. */
export type LogFormat = "text" | "json";

const KIND_COLORS: Record<LogKind, (text: string) => string> = {
  "SERVER": colors.cyan,
  "NEW CONNECTION": colors.green,
  "DISCONNECTED": colors.yellow,
  "REJECTED": colors.magenta,
  "DOWNLOAD": colors.blue,
  "HELLO": colors.green,
  "REQUEST": colors.dim,
  "WARNING": colors.yellow,
  "ERROR": colors.red,
};

/**
 * Formats a log line. Text keeps the course's server words after the
 * time: `2026-11-26 04:12:00.123 [NEW CONNECTION] Client01 connected from
 * …`. JSON is one object: `time` (ISO 8601 with offset), `level`, `kind`,
 * `message`, then `fields`.
 */
export function formatLogLine(
  kind: LogKind,
  message: string,
  at: Date,
  format: LogFormat = "text",
  fields?: LogFields,
): string {
  const capped = capLogMessage(message);
  if (format === "json") {
    return JSON.stringify({
      time: formatIsoTime(at),
      level: KIND_LEVELS[kind],
      kind,
      message: capped,
      ...fields,
    });
  }
  return `${colors.dim(formatTimestamp(at))} ${
    KIND_COLORS[kind](`[${kind}]`)
  } ${capped}`;
}

/** Longest message logged, in characters; the rest is cut and counted. */
export const MAX_LOG_MESSAGE = 1000;
/** Cuts `message` to {@linkcode MAX_LOG_MESSAGE} characters, saying so. */
export function capLogMessage(message: string): string {
  if (message.length <= MAX_LOG_MESSAGE) return message;
  const cut = message.length - MAX_LOG_MESSAGE;
  return `${message.slice(0, MAX_LOG_MESSAGE)}… (${cut} more characters)`;
}

/** Makes one line of text from what a {@linkcode Logger} is given. */
export type LineFormatter = (
  kind: LogKind,
  message: string,
  fields?: LogFields,
) => string;

/** The line, made by `format`, that says how many lines were dropped. */
export function dropNotice(format: LineFormatter): (count: number) => string {
  return (count) =>
    format(
      "WARNING",
      `${count} log line${
        count === 1 ? "" : "s"
      } dropped: the log output was not keeping up`,
      { dropped: count },
    );
}

/** Options of {@linkcode ServerLog}. */
export interface ServerLogOptions {
  /** Where info and debug lines go: `Deno.stdout`, or a test's own. */
  stdout: LogOutput;
  /** Where warnings and errors go: `Deno.stderr`, or a test's own. */
  stderr: LogOutput;
  /** Text or JSON. */
  format: LogFormat;
  /** The least level logged. */
  level: LogLevel;
  /** Where each line's time comes from. */
  clock: Clock;
}

/**
 * The server program's log: lines at `level` or above, timestamped, in
 * text or JSON; info and debug on stdout, warnings and errors on stderr,
 * each through a {@linkcode QueuedLog}.
 */
export class ServerLog {
  /** The logger to hand to the server. */
  readonly log: Logger;
  /** Formats a line as this log does (for the last line before an exit). */
  readonly format: LineFormatter;
  readonly #out: QueuedLog;
  readonly #err: QueuedLog;
  readonly #level: LogLevel;

  /** Creates the log. */
  constructor(options: ServerLogOptions) {
    const { format, level, clock } = options;
    this.#level = level;
    this.format = (kind, message, fields) =>
      formatLogLine(kind, message, clock.date(), format, fields);
    this.#out = new QueuedLog(options.stdout, dropNotice(this.format));
    this.#err = new QueuedLog(options.stderr, dropNotice(this.format));
    this.log = (kind, message, fields) => {
      if (!isLogged(kind, level)) return;
      const log = isLogged(kind, "warn") ? this.#err : this.#out;
      log.add(this.format(kind, message, fields));
    };
  }

  /**
   * Writes a line at once, blocking until it is written: for the last line
   * before the process exits, which a queue would lose.
   */
  readonly logNow: Logger = (kind, message, fields) => {
    if (!isLogged(kind, this.#level)) return;
    const line = this.format(kind, message, fields);
    if (isLogged(kind, "warn")) console.error(line);
    else console.log(line);
  };

  /** Resolves once both outputs have taken every queued line. */
  async flushed(): Promise<void> {
    await Promise.all([this.#out.flushed(), this.#err.flushed()]);
  }
}

/**
 * A logger that prints each line at once, in text, blocking while the
 * output is full: for a test's own server, and lines around serving.
 */
export const consoleLogger: Logger = (kind, message, fields) => {
  const line = formatLogLine(
    kind,
    message,
    SYSTEM_CLOCK.date(),
    "text",
    fields,
  );
  if (isLogged(kind, "warn")) console.error(line);
  else console.log(line);
};
