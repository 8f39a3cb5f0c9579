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
import { ListedNames } from "./completion.ts";
import type { LineInput } from "./line_input.ts";
import { StopSignals } from "./signals.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";
import { DownloadRefusedError } from "./space.ts";
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
  /**
   * Prints a line of results given as printable ASCII bytes, valid only
   * during the call (stdout): a long reply's lines need no string.
   */
  printAscii(line: Uint8Array): void;
  /** Prints a notice, or a line about something that went wrong (stderr). */
  error(line: string): void;
  /** Writes raw text, no line end added: the progress bar (stderr). */
  write(text: string): void;
  /** Writes out anything printed and still held, before others write. */
  flush(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Lines printed together are written together, up to this much at once.
const STDOUT_BATCH_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * The process's stdout and stderr. Lines for stdout are gathered in one
 * reused buffer and written once the code that printed them yields (all
 * the lines one read of a long reply brought, in one write), or once the
 * buffer is full; stderr writes them first, so the two stay in order on a
 * terminal. No line costs a new buffer: a new one for every long line
 * would pile up garbage faster than it is collected.
 */
class ConsoleOutput implements PromptOutput {
  readonly #buf = new Uint8Array(STDOUT_BATCH_BYTES);
  #used = 0;

  print(line: string): void {
    for (let rest = line; rest.length > 0;) {
      if (this.#buf.length - this.#used < 4) this.flush(); // room for a character
      const { read, written } = encoder.encodeInto(
        rest,
        this.#buf.subarray(this.#used),
      );
      this.#add(written);
      rest = rest.slice(read);
    }
    this.#newline();
  }

  printAscii(line: Uint8Array): void {
    for (let at = 0; at < line.length;) {
      if (this.#used === this.#buf.length) this.flush();
      const n = Math.min(line.length - at, this.#buf.length - this.#used);
      this.#buf.set(line.subarray(at, at + n), this.#used);
      this.#add(n);
      at += n;
    }
    this.#newline();
  }

  error(line: string): void {
    this.flush();
    writeAllSync(Deno.stderr, encoder.encode(line + "\n"));
  }

  write(text: string): void {
    this.flush();
    writeAllSync(Deno.stderr, encoder.encode(text));
  }

  /**
   * Writes what was gathered so far. When stdout is a pipe whose reader
   * has gone (`| head -1`), the program ends quietly, as programs killed
   * by SIGPIPE do (exit code 141): nobody is left to read the rest.
   */
  flush(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    try {
      writeAllSync(Deno.stdout, this.#buf.subarray(0, used));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      Deno.exit(141);
    }
  }

  #newline(): void {
    if (this.#used === this.#buf.length) this.flush();
    this.#buf[this.#used] = LF;
    this.#add(1);
  }

  #add(bytes: number): void {
    if (this.#used === 0 && bytes > 0) queueMicrotask(() => this.flush());
    this.#used += bytes;
  }
}

/** The process's stdout and stderr. */
export const consoleOutput: PromptOutput = new ConsoleOutput();

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

/** Whether every byte is printable ASCII or a tab: nothing to escape. */
function isPlainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if ((byte < 0x20 && byte !== 0x09) || byte > 0x7e) return false;
  }
  return true;
}

/** Prints one line of a reply, escaped: on stdout, or in red on stderr for a failure. */
export function printLine(
  output: PromptOutput,
  text: string | Uint8Array,
  code: number,
): void {
  if (typeof text !== "string") {
    if (!isFailure(code) && isPlainAscii(text)) return output.printAscii(text);
    text = decoder.decode(text);
  }
  const shown = escapeControl(text);
  if (isFailure(code)) output.error(colors.red(shown));
  else output.print(shown);
}

/** Prints a reply's lines (see {@linkcode printLine}). */
export function printReply(output: PromptOutput, reply: Reply): void {
  for (const line of reply.lines) printLine(output, line, reply.code);
}

/**
 * Sends `line` and prints its reply line by line as it arrives, so no
 * reply is held whole however long it is. The names of a `list` go to
 * `onListed`, for Tab.
 */
export async function requestAndPrint(
  session: Session,
  line: string,
  output: PromptOutput,
  onListed?: (names: string[]) => void,
): Promise<Reply> {
  const names = new ListedNames();
  const reply = await session.request(line, (text, code) => {
    printLine(output, text, code);
    names.add(text, code);
  });
  if (reply.code === Code.List) onListed?.(names.names);
  return reply;
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
 * How a `get` went: saved; failed with the connection still usable; or
 * refused by the client (too large), which closed the connection.
 */
export type GetOutcome = "saved" | "failed" | "refused";

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
): Promise<GetOutcome> {
  const { output } = options;
  const progress = options.showProgress
    ? new ProgressBar(escapeControl(name), (text) => output.write(text))
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
    return "saved";
  } catch (error) {
    progress?.clear();
    if (error instanceof ReplyError) {
      printReply(output, error.reply);
      return "failed";
    }
    if (
      error instanceof ConnectionClosedError &&
      error.cause instanceof DownloadRefusedError
    ) {
      // Its bytes could not be skipped: the connection was closed.
      output.error(colors.red(`error: ${escapeControl(error.message)}`));
      return "refused";
    }
    if (error instanceof ConnectionClosedError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    output.error(colors.red(
      `error: Download of ${
        escapeControl(name)
      } failed: ${reason}; nothing was saved`,
    ));
    return "failed";
  }
}

/**
 * How one line of input went; `refused`: a download refused by the client,
 * whose connection had to close.
 */
type Outcome = "ok" | "failed" | "refused" | "goodbye" | "closing";

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
    const outcome = await runGet(session, request.args, options);
    return outcome === "saved" ? "ok" : outcome;
  }
  const reply = await requestAndPrint(
    session,
    line,
    options.output,
    options.onListed,
  );
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
    output.flush(); // the line editor writes the prompt itself
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
    if (outcome === "failed" || outcome === "refused") failures++;
    if (outcome === "refused" && !await reconnect(current, options)) return 1;
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

/**
 * Opens a new session after the last was closed (a cancel, a refused
 * download); says so, or why it cannot. Ctrl+C gives up waiting.
 */
async function reconnect(
  current: Current,
  { output, reconnect, input }: PromptOptions,
): Promise<boolean> {
  if (!reconnect) return false;
  output.error(colors.dim("Connecting again…"));
  const interrupted = Promise.withResolvers<null>();
  input.onInterrupt = () => interrupted.resolve(null);
  const attempt = reconnect();
  try {
    const session = await Promise.race([attempt, interrupted.promise]);
    if (session === null) {
      // Given up: a session that still opens is closed at once.
      attempt.then((late) => late.close(), () => {});
      output.error(colors.red("error: Not connected again: interrupted"));
      return false;
    }
    current.session = session;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.error(colors.red(`error: ${escapeControl(reason)}`));
    return false;
  } finally {
    input.onInterrupt = null;
  }
  output.error(`Connected again as ${escapeControl(current.session.name)}`);
  return true;
}
