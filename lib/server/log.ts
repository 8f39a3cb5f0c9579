/**
 * The server's log: kinds of line, and the console logger the program
 * uses. Text that came from a client arrives here already escaped.
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

/** A logger that prints each line on stdout, the kind coloured. */
export const consoleLogger: Logger = (kind, message) => {
  console.log(formatLogLine(kind, message));
};
