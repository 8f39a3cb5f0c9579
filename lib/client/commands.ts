/**
 * The command table as the client shows it: the lines of `help`, the hint
 * at start, and what a typed line asks for. All of it derives from the
 * table's rows (`wire/commands.ts`).
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import {
  COMMAND_NAMES,
  type CommandName,
  COMMANDS,
  parseRequestText,
  type Request,
  type RequestName,
} from "../wire/mod.ts";

/** The commands a person types: those with a line in `help`, in its order. */
export const TYPED_COMMANDS: readonly CommandName[] = COMMAND_NAMES.filter(
  (name) => COMMANDS[name].help !== null,
);

const MESSAGE = {
  usage: "<message>",
  help: "any other line is echoed back with ACK",
};
const USAGE_WIDTH = Math.max(
  MESSAGE.usage.length,
  ...TYPED_COMMANDS.map((name) => COMMANDS[name].usage.length),
) + 3;

/** What `help` prints: every command, one line each. */
export const HELP_LINES: readonly string[] = [
  MESSAGE,
  ...TYPED_COMMANDS.map((name) => COMMANDS[name]),
].map(({ usage, help }) => `  ${usage.padEnd(USAGE_WIDTH)}${help}`);

/** What the client can do, shown at start. */
export const HINT = `Type a message to have it echoed with ACK, or: ${
  TYPED_COMMANDS.map((name) => COMMANDS[name].usage).join(", ")
}`;

/** The commands the client answers itself, never sending them. */
export type LocalName = Exclude<CommandName, RequestName>;

/**
 * What a typed line asks for: one of the client's own commands; a
 * download (the name as `list` shows it); or a request or a message to
 * send as it is (`request` is `null` for a message).
 */
export type TypedLine =
  | { kind: "local"; name: LocalName }
  | { kind: "download"; name: string }
  | { kind: "send"; request: Request | null };

function isLocal(name: string): name is LocalName {
  return COMMAND_NAMES.some((command) =>
    command === name && COMMANDS[command].local
  );
}

/** Reads what a typed line asks for: the one place that tells. */
export function readTypedLine(line: string): TypedLine {
  if (isLocal(line)) return { kind: "local", name: line };
  const request = parseRequestText(line);
  if (request?.name === "get") return { kind: "download", name: request.args };
  return { kind: "send", request };
}

/** What is said of a command stopped before its end (Ctrl+C, a signal). */
export function cancelledText(line: string): string {
  const typed = readTypedLine(line);
  return typed.kind === "download"
    ? `Download of ${escapeControl(typed.name)} cancelled; nothing was kept`
    : "Cancelled";
}
