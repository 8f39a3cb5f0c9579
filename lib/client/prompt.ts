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
  type Reader,
  writeAllSync,
} from "../common/mod.ts";
import {
  Code,
  isFailure,
  LineBuffer,
  LineTooLongError,
  MAX_REQUEST_LINE_BYTES,
  parseRequestText,
  type Reply,
} from "../wire/mod.ts";
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
  "  exit         leave (Ctrl+D and Ctrl+C leave too)",
];

/** What the client can do, shown at start and by `help`. */
export const HINT =
  "Type a message to have it echoed with ACK, or: status, list, get <name>, time, help, exit";

/** Where the prompt's text goes: the terminal, or a test's transcript. */
export interface PromptOutput {
  /** Prints a line of results (stdout). */
  print(line: string): void;
  /** Prints a line about something that went wrong (stderr). */
  error(line: string): void;
  /** Writes raw text, no line end added: the prompt, the progress bar. */
  write(text: string): void;
}

const encoder = new TextEncoder();

/** The process's stdout and stderr. */
export const consoleOutput: PromptOutput = {
  print: (line) => console.log(line),
  error: (line) => console.error(line),
  write: (text) => writeAllSync(Deno.stdout, encoder.encode(text)),
};

/** Options of {@linkcode runPrompt}. */
export interface PromptOptions {
  /** Where lines come from. */
  input: Reader;
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
}

// Any line a server can be set to accept can be sent.
const LONGEST_INPUT_LINE = MAX_REQUEST_LINE_BYTES;

/**
 * Yields the UTF-8 lines of `reader` without their LF or CRLF, the last one
 * too when the input does not end with a line break.
 */
export async function* readLines(
  reader: Reader,
  maxLineBytes = LONGEST_INPUT_LINE,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const lines = new LineBuffer(maxLineBytes);
  for (;;) {
    const n = await reader.read(lines.space());
    if (n === null) break;
    lines.filled(n);
    while (lines.next()) yield decoder.decode(lines.line());
  }
  const rest = lines.take(lines.buffered);
  if (rest.length > 0) yield decoder.decode(rest);
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

/**
 * Downloads one file and reports it.
 *
 * @returns whether the file was saved.
 * @throws {ConnectionClosedError} if the connection ended.
 */
export async function runGet(
  session: Session,
  name: string,
  options: Pick<
    PromptOptions,
    "downloadsDir" | "maxDownloadBytes" | "showProgress" | "output"
  >,
): Promise<boolean> {
  const { output } = options;
  const progress = options.showProgress
    ? new ProgressBar(escapeControl(name), output.write)
    : null;
  try {
    const result = await session.download(name, {
      dir: options.downloadsDir,
      maxBytes: options.maxDownloadBytes,
      onProgress: (received, size) => progress?.update(received, size),
    });
    progress?.clear();
    output.error(
      `Saved ${escapeControl(result.name)} (${formatBytes(result.size)}) in ${
        formatDuration(result.elapsedMs, "short")
      }, SHA-256 verified`,
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
  if (reply.code === Code.Goodbye) return "goodbye";
  if (reply.code === Code.Closing) return "closing";
  return "ok";
}

/** Exit codes after a signal: 128 plus the signal's number, as shells do. */
export const SIGNAL_EXIT_CODES: Partial<Record<Deno.Signal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
};

// SIGTERM cannot be listened for on Windows.
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/**
 * Runs the prompt until the input ends, the user says `exit` or presses
 * Ctrl+C, or the connection ends.
 *
 * @returns the exit code: 0, or 1 when the server went away or turned the
 * client out, or a scripted download failed; 130 after Ctrl+C and 143
 * after SIGTERM (a download in progress is cut and nothing of it is kept).
 */
export async function runPrompt(
  session: Session,
  options: PromptOptions,
): Promise<number> {
  // A stop signal closes the session from the moment it exists, before
  // anything tells the user it is there; a download under way then fails
  // and removes its partial file.
  let stoppedBy: Deno.Signal | null = null;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      stoppedBy ??= signal;
      session.close();
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  const signalled = () =>
    stoppedBy === null ? null : SIGNAL_EXIT_CODES[stoppedBy] ?? 1;
  try {
    const code = await promptLoop(session, options, () => stoppedBy !== null);
    return signalled() ?? code;
  } catch (error) {
    if (error instanceof LineTooLongError) {
      options.output.error(colors.red(
        `error: A line of input is longer than ${error.limit} bytes; it was not sent`,
      ));
      await session.close();
      return 1;
    }
    if (!(error instanceof ConnectionClosedError)) throw error;
    const code = signalled();
    if (code !== null) return code;
    options.output.error(colors.red(`error: ${escapeControl(error.message)}`));
    return 1;
  } finally {
    for (const { signal, listener } of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  }
}

async function promptLoop(
  session: Session,
  options: PromptOptions,
  interrupted: () => boolean,
): Promise<number> {
  const { interactive, output } = options;
  output.print(`Connected as ${escapeControl(session.name)}`);
  if (interactive) output.print(colors.dim(HINT));
  const input = readLines(options.input);
  const closed = session.closed.then((reason) => ({ closed: reason }));
  let failures = 0;
  for (let first = true;; first = false) {
    if (interactive) output.write(first ? PROMPT : shortPrompt(session.name));
    const next = await Promise.race([input.next(), closed]);
    if ("closed" in next || next.done) {
      if (interactive) output.print(""); // end the prompt's line
      if (!("closed" in next)) break;
      if (interrupted()) return 0;
      output.error(colors.red(`error: ${escapeControl(next.closed)}`));
      return 1;
    }
    const outcome = await handleLine(session, next.value, options);
    if (outcome === "failed") failures++;
    if (outcome === "goodbye") break;
    if (outcome === "closing") return 1;
  }
  await session.close();
  // A script learns of a failed download from the exit code; a person saw it.
  return failures > 0 && !interactive ? 1 : 0;
}
