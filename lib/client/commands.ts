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

/** After `get`: continue the part kept from a cut download (as wget's `-c`). */
export const CONTINUE_FLAG = "-c";

const MESSAGE = {
  usage: "<message>",
  help: "any other line is echoed back with ACK",
};
// The client's own form of `get`, shown after the command's row.
const CONTINUE = {
  usage: `get ${CONTINUE_FLAG} <name>`,
  help: "the same, going on from what a cut one kept; keeps what comes if cut",
};
const ROWS: readonly { usage: string; help: string | null }[] = [
  MESSAGE,
  ...TYPED_COMMANDS.flatMap((name): { usage: string; help: string | null }[] =>
    name === "get" ? [COMMANDS[name], CONTINUE] : [COMMANDS[name]]
  ),
];
const USAGE_WIDTH = Math.max(...ROWS.map(({ usage }) => usage.length)) + 3;

/** What `help` prints: every command, one line each. */
export const HELP_LINES: readonly string[] = ROWS.map(({ usage, help }) =>
  `  ${usage.padEnd(USAGE_WIDTH)}${help}`
);

/** What the client can do, shown at start. */
export const HINT = `Type a message to have it echoed with ACK, or: ${
  TYPED_COMMANDS.map((name) => COMMANDS[name].usage).join(", ")
}`;

/** The commands the client answers itself, never sending them. */
export type LocalName = Exclude<CommandName, RequestName>;

/**
 * What a typed line asks for: one of the client's own commands; a
 * download (the name as `list` shows it; `resume` for `get -c`); or a
 * request or a message to send as it is (`request` is `null` for a
 * message).
 */
export type TypedLine =
  | { kind: "local"; name: LocalName }
  | { kind: "download"; name: string; resume: boolean }
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
  if (request?.name !== "get") return { kind: "send", request };
  const [flag, name] = request.args.split(/ +(.*)/s);
  return flag === CONTINUE_FLAG
    ? { kind: "download", name: name ?? "", resume: true }
    : { kind: "download", name: request.args, resume: false };
}

/**
 * A name as it must be typed after `get`: one that would read as
 * `-c NAME` has its dash escaped (`\x2dc NAME`), as names on the wire may
 * be (PROTOCOL.md).
 */
export function typedName(name: string): string {
  return name === CONTINUE_FLAG || name.startsWith(`${CONTINUE_FLAG} `)
    ? `\\x2d${name.slice(1)}`
    : name;
}

/** The line for a download: `get NAME`, or `get -c NAME`. */
export function downloadLine(name: string, resume: boolean): string {
  return resume
    ? `get ${CONTINUE_FLAG} ${typedName(name)}`
    : `get ${typedName(name)}`;
}

/**
 * How a download of `name` that was cut with `get -c` goes on: at the
 * prompt, the line to type; in the one-shot form, the same command.
 */
export function continueHint(name: string, oneShot: boolean): string {
  return oneShot
    ? "run the same command again to go on from there"
    : `type ${downloadLine(escapeControl(name), true)} to go on from there`;
}

/**
 * What is said of a command stopped before its end (Ctrl+C, a signal);
 * `kept` when a `get -c` keeps a part of it.
 */
export function cancelledText(
  line: string,
  oneShot: boolean,
  kept: boolean,
): string {
  const typed = readTypedLine(line);
  if (typed.kind !== "download") return "Cancelled";
  const name = escapeControl(typed.name);
  return kept
    ? `Download of ${name} stopped; what arrived is kept: ${
      continueHint(typed.name, oneShot)
    }`
    : `Download of ${name} cancelled; nothing was kept`;
}
