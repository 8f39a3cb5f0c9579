/**
 * The client's front: lines typed at the prompt (or read from a pipe) go to
 * the server, and replies, downloads and errors are shown.
 *
 * @module
 */

import type { Reader } from "../common/io.ts";
import { writeAll } from "../common/io.ts";
import { colors, formatBytes } from "../common/std.ts";
import { escapeControl, formatDuration } from "../common/text.ts";
import {
  Code,
  isFailure,
  LineBuffer,
  parseRequestText,
  type Reply,
} from "../wire/mod.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";
import { ProgressBar } from "./progress.ts";
import type { Session } from "./session.ts";

/** The prompt of the course's client, kept word for word. */
export const PROMPT =
  "> Enter message (or 'exit' to quit, 'status' for client information) ";

/** What the client can do, shown at start and by `help`. */
export const HINT =
  "Type a message to have it echoed with ACK, or: status, list, get <name>, time, help, exit";

/** Options of {@linkcode runPrompt}. */
export interface PromptOptions {
  /** Where lines come from. */
  input: Reader;
  /** A person is typing: show the prompt and the hint. */
  interactive: boolean;
  /** Draw a progress bar during downloads. */
  showProgress: boolean;
  /** Folder for downloads. */
  downloadsDir: string;
}

const encoder = new TextEncoder();
const LONGEST_INPUT_LINE = 16 * 1024 * 1024;

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
export function printReply(reply: Reply): void {
  const failed = isFailure(reply.code);
  for (const line of reply.lines) {
    const text = escapeControl(line);
    console.log(failed ? colors.red(text) : text);
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
  options: Pick<PromptOptions, "downloadsDir" | "showProgress">,
): Promise<boolean> {
  const progress = options.showProgress
    ? new ProgressBar(
      escapeControl(name),
      (text) => Deno.stdout.writeSync(encoder.encode(text)),
    )
    : null;
  try {
    const result = await session.download(name, {
      dir: options.downloadsDir,
      onProgress: (received, size) => progress?.update(received, size),
    });
    progress?.clear();
    console.log(
      `Saved ${escapeControl(result.name)} (${formatBytes(result.size)}) in ${
        formatDuration(result.elapsedMs, "short")
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
    console.error(colors.red(
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
    console.log(HINT);
    return "ok";
  }
  const request = parseRequestText(line);
  if (request?.name === "get") {
    return await runGet(session, request.args, options) ? "ok" : "failed";
  }
  const reply = await session.request(line);
  printReply(reply);
  if (reply.code === Code.Goodbye) return "goodbye";
  if (reply.code === Code.Closing) return "closing";
  return "ok";
}

/**
 * Runs the prompt until the input ends, the user says `exit` or presses
 * Ctrl+C, or the connection ends.
 *
 * @returns the exit code: 0, or 1 when the server went away or turned the
 * client out, or a scripted download failed.
 */
export async function runPrompt(
  session: Session,
  options: PromptOptions,
): Promise<number> {
  // Ctrl+C closes the session from the moment it exists, before anything
  // tells the user it is there.
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    session.close();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await promptLoop(session, options, () => interrupted);
  } catch (error) {
    if (!(error instanceof ConnectionClosedError)) throw error;
    if (interrupted) return 0;
    console.error(colors.red(`error: ${escapeControl(error.message)}`));
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

async function promptLoop(
  session: Session,
  options: PromptOptions,
  interrupted: () => boolean,
): Promise<number> {
  const { interactive } = options;
  console.log(`Connected as ${escapeControl(session.name)}`);
  if (interactive) console.log(colors.dim(HINT));
  const input = readLines(options.input);
  const closed = session.closed.then((reason) => ({ closed: reason }));
  let failures = 0;
  for (;;) {
    if (interactive) await writeAll(Deno.stdout, encoder.encode(PROMPT));
    const next = await Promise.race([input.next(), closed]);
    if ("closed" in next || next.done) {
      if (interactive) console.log(); // end the prompt's line
      if (!("closed" in next)) break;
      if (interrupted()) return 0;
      console.error(colors.red(`error: ${escapeControl(next.closed)}`));
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
