/**
 * The prompt: lines typed (or read from a pipe) go to the server one at a
 * time, their replies and downloads are shown, and Ctrl+C cancels what
 * runs and connects again.
 *
 * @module
 */

import { colors, escapeControl } from "../common/mod.ts";
import {
  Code,
  COMMANDS,
  formatRequest,
  isFailure,
  isServerFull,
  LineTooLongError,
} from "../wire/mod.ts";
import {
  cancelledText,
  HELP_LINES,
  HINT,
  type LocalName,
  readTypedLine,
} from "./commands.ts";
import type { PromptOutput } from "./console.ts";
import {
  ConnectionClosedError,
  DownloadStoppedError,
  ReplyError,
} from "./errors.ts";
import type { LineInput } from "./line_input.ts";
import {
  type GetOptions,
  printReply,
  requestAndPrint,
  runGet,
} from "./present.ts";
import type { Session } from "./session.ts";
import { StopSignals } from "./signals.ts";

/** The prompt of the course's client, kept word for word: the first one. */
export const PROMPT =
  "> Enter message (or 'exit' to quit, 'status' for client information) ";

/** The prompt after the first: short, naming the client (`Client01> `). */
export function shortPrompt(name: string): string {
  return `${escapeControl(name)}> `;
}

/** What the client's own commands do. */
const LOCAL_COMMANDS: {
  readonly [K in LocalName]: (output: PromptOutput) => void;
} = {
  help: (output) => {
    for (const line of HELP_LINES) output.print(line);
  },
};

/** Runs one of the client's own commands. */
export function runLocal(name: LocalName, output: PromptOutput): void {
  LOCAL_COMMANDS[name](output);
}

/** Options of {@linkcode runPrompt}. */
export interface PromptOptions extends GetOptions {
  /** Where lines come from. */
  input: LineInput;
  /** A person is typing: show the prompt and the hint. */
  interactive: boolean;
  /**
   * Opens a new session once Ctrl+C has cut the connection to stop a
   * command; without it the prompt ends there.
   */
  reconnect?: () => Promise<Session>;
  /** Told the names of each `list`, for Tab to complete. */
  onListed?: (names: string[]) => void;
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
  const typed = readTypedLine(line);
  if (typed.kind === "local") {
    runLocal(typed.name, options.output);
    return "ok";
  }
  if (typed.kind === "download") {
    const outcome = await runGet(session, typed, options);
    return outcome === "saved" ? "ok" : outcome;
  }
  const reply = await requestAndPrint(
    session,
    line,
    options.output,
    options.onListed,
  );
  if (reply.code === COMMANDS.exit.code) return "goodbye";
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
    let kept = false;
    try {
      outcome = await handleLine(session, line, options);
    } catch (error) {
      if (!cancelled || !(error instanceof ConnectionClosedError)) throw error;
      kept = error instanceof DownloadStoppedError && error.keptPath !== null;
      outcome = "failed";
    } finally {
      input.onInterrupt = null;
    }
    if (cancelled) {
      output.error(cancelledText(line, false, kept));
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

/**
 * Opens a new session after the last was closed (a cancel, a refused
 * download); says so, or why it cannot. Ctrl+C gives up waiting.
 */
async function reconnect(
  current: Current,
  { output, reconnect, input, clock }: PromptOptions,
): Promise<boolean> {
  if (!reconnect) return false;
  output.error(colors.dim("Connecting again…"));
  const interrupted = new AbortController();
  input.onInterrupt = () => interrupted.abort();
  const given = Promise.withResolvers<null>();
  interrupted.signal.addEventListener("abort", () => given.resolve(null));
  try {
    for (const pause of [...RETRIES_WHEN_FULL_MS, null]) {
      const attempt = reconnect();
      try {
        const session = await Promise.race([attempt, given.promise]);
        if (session !== null) {
          current.session = session;
          output.error(
            `Connected again as ${escapeControl(current.session.name)}`,
          );
          return true;
        }
        // Given up: a session that still opens is closed at once.
        attempt.then((late) => late.close(), () => {});
      } catch (error) {
        if (pause !== null && turnedAwayFull(error)) {
          await clock.sleep(pause, interrupted.signal);
          if (!interrupted.signal.aborted) continue;
        } else {
          const reason = error instanceof Error ? error.message : String(error);
          output.error(colors.red(`error: ${escapeControl(reason)}`));
          return false;
        }
      }
      output.error(colors.red("error: Not connected again: interrupted"));
      return false;
    }
    return false;
  } finally {
    input.onInterrupt = null;
  }
}

/**
 * The pauses before trying again when the server is full: the slot of the
 * connection just closed is freed a moment after it closes.
 */
const RETRIES_WHEN_FULL_MS = [50, 100, 200, 400, 800];

/** Whether `error` (or its cause) is a `421` saying the server is full. */
function turnedAwayFull(error: unknown): boolean {
  const failure = error instanceof Error && error.cause !== undefined
    ? error.cause
    : error;
  return failure instanceof ReplyError &&
    failure.reply.code === Code.Closing &&
    isServerFull(failure.reply.lines[0] ?? "");
}
