/**
 * The client's front: lines typed at the prompt (or read from a pipe) go to
 * the server, and replies, downloads and errors are shown.
 *
 * @module
 */

import {
  colors,
  escapeControl,
  formatBytes,
  formatDuration,
  writeAllSync,
} from "../common/mod.ts";
import {
  Code,
  formatRequest,
  isFailure,
  LineTooLongError,
  parseRequestText,
  type Reply,
} from "../wire/mod.ts";
import { listedNames } from "./completion.ts";
import type { LineInput } from "./line_input.ts";
import { StopSignals } from "./signals.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";
import { ProgressBar } from "./progress.ts";
import type { Session } from "./session.ts";

/** The prompt of the course's client, kept word for word: the first one. */
export const PROMPT =
  "> Enter message (or 'exit' to quit, 'status' for client information) ";

/** The prompt after the first: short, naming the client (`Client01> `). */
export function shortPrompt(name: string): string {
  return `${escapeControl(name)}> `;
}

/** What `help` prints: every command, one line each. */
export const HELP_LINES: readonly string[] = [
  "  <message>    any other line is echoed back with ACK",
  "  status       the server's clients: when each connected and left",
  "  list         the files the server offers",
  "  get <name>   download a file, its name as list shows it",
  "  time         the server's clock",
  "  help         this list",
  "  exit         leave (so do Ctrl+D, and Ctrl+C on an empty line)",
];

/** What the client can do, shown at start and by `help`. */
export const HINT =
  "Type a message to have it echoed with ACK, or: status, list, get <name>, time, help, exit";

/** Where the prompt's text goes: the terminal, or a test's transcript. */
export interface PromptOutput {
  /** Prints a line of results (stdout). */
  print(line: string): void;
  /** Prints a notice, or a line about something that went wrong (stderr). */
  error(line: string): void;
  /** Writes raw text, no line end added: the progress bar (stderr). */
  write(text: string): void;
}

const encoder = new TextEncoder();

/** The process's stdout and stderr. */
export const consoleOutput: PromptOutput = {
  print: (line) => console.log(line),
  error: (line) => console.error(line),
  write: (text) => writeAllSync(Deno.stderr, encoder.encode(text)),
};

/** Options of {@linkcode runPrompt}. */
export interface PromptOptions {
  /** Where lines come from. */
  input: LineInput;
  /** Where text goes. */
  output: PromptOutput;
  /** A person is typing: show the prompt and the hint. */
  interactive: boolean;
  /** Draw a progress bar during downloads. */
  showProgress: boolean;
  /** Folder for downloads. */
  downloadsDir: string;
  /** Refuse downloads larger than this; 0 for no limit. */
  maxDownloadBytes?: number;
  /** Replace a file of the same name rather than number the new one. */
  overwrite?: boolean;
  /**
   * Opens a new session once Ctrl+C has cut the connection to stop a
   * command; without it the prompt ends there.
   */
  reconnect?: () => Promise<Session>;
  /** Told the names of each `list`, for Tab to complete. */
  onListed?: (names: string[]) => void;
}

/** Prints a reply's lines, escaped; failures in red. */
export function printReply(output: PromptOutput, reply: Reply): void {
  const failed = isFailure(reply.code);
  for (const line of reply.lines) {
    const text = escapeControl(line);
    if (failed) output.error(colors.red(text));
    else output.print(text);
  }
}

/** Options of {@linkcode runGet}. */
export interface GetOptions extends
  Pick<
    PromptOptions,
    | "downloadsDir"
    | "maxDownloadBytes"
    | "showProgress"
    | "output"
    | "overwrite"
  > {
  /** Save under exactly this path, not in the downloads folder. */
  saveAs?: string;
}

/**
 * Downloads one file and reports it.
 *
 * @returns whether the file was saved.
 * @throws {ConnectionClosedError} if the connection ended.
 */
export async function runGet(
  session: Session,
  name: string,
  options: GetOptions,
): Promise<boolean> {
  const { output } = options;
  const progress = options.showProgress
    ? new ProgressBar(escapeControl(name), output.write)
    : null;
  try {
    const result = await session.download(name, {
      dir: options.downloadsDir,
      saveAs: options.saveAs,
      overwrite: options.overwrite,
      maxBytes: options.maxDownloadBytes,
      onProgress: (received, size) => progress?.update(received, size),
    });
    progress?.clear();
    output.error(
      `Saved ${escapeControl(options.saveAs ?? result.name)} (${
        formatBytes(result.size)
      }) in ${formatDuration(result.elapsedMs, "short")}, SHA-256 verified`,
    );
    return true;
  } catch (error) {
    progress?.clear();
    if (error instanceof ReplyError) {
      printReply(output, error.reply);
      return false;
    }
    if (error instanceof ConnectionClosedError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    output.error(colors.red(
      `error: Download of ${
        escapeControl(name)
      } failed: ${reason}; nothing was saved`,
    ));
    return false;
  }
}

/** How one line of input went. */
type Outcome = "ok" | "failed" | "goodbye" | "closing";

async function handleLine(
  session: Session,
  line: string,
  options: PromptOptions,
): Promise<Outcome> {
  if (line === "help") {
    for (const help of HELP_LINES) options.output.print(help);
    return "ok";
  }
  const request = parseRequestText(line);
  if (request?.name === "get") {
    return await runGet(session, request.args, options) ? "ok" : "failed";
  }
  const reply = await session.request(line);
  printReply(options.output, reply);
  const names = listedNames(reply);
  if (names !== null) options.onListed?.(names);
  if (reply.code === Code.Goodbye) return "goodbye";
  if (reply.code === Code.Closing) return "closing";
  return isFailure(reply.code) ? "failed" : "ok";
}

/** The session the prompt talks to: a new one after a cancelled command. */
interface Current {
  session: Session;
}

/**
 * Runs the prompt until the input ends, the user says `exit`, or the
 * connection ends. Ctrl+C while a command runs cancels it: the connection
 * is closed, the only way to stop a reply or a file in the middle, and a
 * new one opened (see {@linkcode PromptOptions.reconnect}).
 *
 * @returns the exit code: 0, or 1 when the server went away or turned the
 * client out, or a scripted download failed; 130 after a SIGINT and 143
 * after a SIGTERM (a download in progress is cut and nothing of it is
 * kept).
 */
export async function runPrompt(
  session: Session,
  options: PromptOptions,
): Promise<number> {
  const current: Current = { session };
  // A stop signal closes the session from the moment it exists, before
  // anything tells the user it is there.
  using signals = new StopSignals(() => current.session.close());
  try {
    const code = await promptLoop(current, options, () => signals.stopped);
    return signals.exitCode() ?? code;
  } catch (error) {
    if (error instanceof LineTooLongError) {
      options.output.error(colors.red(
        `error: A line of input is longer than ${error.limit} bytes; it was not sent`,
      ));
      await current.session.close();
      return 1;
    }
    if (!(error instanceof ConnectionClosedError)) throw error;
    const code = signals.exitCode();
    if (code !== null) return code;
    options.output.error(colors.red(`error: ${escapeControl(error.message)}`));
    return 1;
  } finally {
    options.input.close();
  }
}

async function promptLoop(
  current: Current,
  options: PromptOptions,
  interrupted: () => boolean,
): Promise<number> {
  const { input, interactive, output } = options;
  output.print(`Connected as ${escapeControl(current.session.name)}`);
  if (interactive) output.print(colors.dim(HINT));
  let failures = 0;
  for (let first = true;; first = false) {
    const session = current.session;
    const prompt = !interactive
      ? ""
      : first
      ? PROMPT
      : shortPrompt(session.name);
    const closed = session.closed.then((reason) => ({ closed: reason }));
    const line = await Promise.race([input.next(prompt), closed]);
    if (line !== null && typeof line === "object") {
      if (interactive) output.print(""); // end the prompt's line
      if (interrupted()) return 0;
      output.error(colors.red(`error: ${escapeControl(line.closed)}`));
      return 1;
    }
    if (line === null) {
      if (interactive) {
        output.print(""); // end the prompt's line
        await sayGoodbye(session, output);
      }
      break;
    }
    let cancelled = false;
    input.onInterrupt = () => {
      cancelled = true;
      session.close();
    };
    let outcome: Outcome;
    try {
      outcome = await handleLine(session, line, options);
    } catch (error) {
      if (!cancelled || !(error instanceof ConnectionClosedError)) throw error;
      outcome = "failed";
    } finally {
      input.onInterrupt = null;
    }
    if (cancelled) {
      output.error(cancelledText(line));
      if (!await reconnect(current, options)) return 1;
      continue;
    }
    if (outcome === "failed") failures++;
    if (outcome === "goodbye") break;
    if (outcome === "closing") return 1;
  }
  await current.session.close();
  // A script learns of a refusal or a failed download from the exit code;
  // a person saw it.
  return failures > 0 && !interactive ? 1 : 0;
}

/** Leaves as `exit` does, so the server and the user see the same ending. */
async function sayGoodbye(session: Session, output: PromptOutput) {
  try {
    printReply(output, await session.request(formatRequest("exit")));
  } catch (error) {
    if (!(error instanceof ConnectionClosedError)) throw error;
  }
}

function cancelledText(line: string): string {
  const request = parseRequestText(line);
  return request?.name === "get"
    ? `Download of ${escapeControl(request.args)} cancelled; nothing was kept`
    : "Cancelled";
}

/** Opens a new session after a cancel; says so, or why it cannot. */
async function reconnect(
  current: Current,
  { output, reconnect }: PromptOptions,
): Promise<boolean> {
  if (!reconnect) return false;
  try {
    current.session = await reconnect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.error(colors.red(
      `error: Cannot connect again: ${escapeControl(reason)}`,
    ));
    return false;
  }
  output.error(`Connected again as ${escapeControl(current.session.name)}`);
  return true;
}
