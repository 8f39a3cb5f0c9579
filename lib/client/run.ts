/**
 * The client program once connected: the one-shot form or the prompt,
 * with the terminal's line editor and history, or lines from a pipe.
 *
 * @module
 */

import { type Clock, colors, escapeControl } from "../common/mod.ts";
import type { ClientCommandLine } from "./cli.ts";
import type { ConnectConfig } from "./config.ts";
import { commandAllowing, connectError } from "./start.ts";
import { completeLine, completesName, fetchNames } from "./completion.ts";
import { connect, type ConnectOptions } from "./connect.ts";
import { consoleOutput } from "./console.ts";
import { defaultHistoryPath, HistoryFile } from "./history.ts";
import { type LineInput, PipeInput, TerminalInput } from "./line_input.ts";
import { runOnce } from "./one_shot.ts";
import { runPlain } from "./plain.ts";
import type { GetOptions } from "./present.ts";
import { runPrompt } from "./prompt.ts";
import type { Session } from "./session.ts";

/**
 * The terminal's line editor, with the history file when it can be kept
 * (a notice says why when not).
 */
function terminalInput(
  command: ClientCommandLine,
  complete: (line: string) => Promise<[string[], string]>,
): LineInput {
  const historyPath = command.history === "default"
    ? defaultHistoryPath()
    : command.history;
  let history: HistoryFile | null = null;
  if (historyPath !== null) {
    const opened = HistoryFile.open(
      historyPath,
      commandAllowing(command, { read: [historyPath], write: [historyPath] }),
    );
    if (typeof opened === "string") console.error(colors.dim(opened));
    else history = opened;
  }
  return new TerminalInput({
    history,
    complete,
    output: Deno.stdout.isTerminal() ? "stdout" : "stderr",
    notice: (text) => consoleOutput.error(colors.dim(text)),
    onHistoryLost: (path) =>
      console.error(colors.dim(
        `History is no longer kept: cannot write ${escapeControl(path)}`,
      )),
  });
}

/** What {@linkcode runClient} works with. */
export interface RunOptions {
  /** What the command line asked for. */
  command: ClientCommandLine;
  /** How to connect again, after a cancelled command. */
  connectOptions: ConnectOptions & { hostname: string; port: number };
  /** Where the time comes from. */
  clock: Clock;
}

/**
 * Runs what the command line asked for on `session`: its one request, or
 * the prompt (a person's at a terminal, else lines from a pipe).
 *
 * @returns the exit code.
 */
export async function runClient(
  session: Session,
  { command, connectOptions, clock }: RunOptions,
): Promise<number> {
  const { oneShot } = command;
  const interactive = oneShot === null && Deno.stdin.isTerminal();
  const getOptions: GetOptions = {
    output: consoleOutput,
    // Drawn on stderr, so stdout keeps the replies alone.
    showProgress: Deno.stderr.isTerminal() &&
      (interactive || oneShot !== null),
    downloadsDir: command.downloadsDir,
    maxDownloadBytes: command.maxDownloadBytes,
    overwrite: command.overwrite,
    saveAs: command.saveAs,
    stdout: Deno.stdout,
    clock,
    oneShot: oneShot !== null,
  };
  try {
    if (oneShot !== null) {
      const { maxTimeMs } = command;
      return await runOnce(session, oneShot, { ...getOptions, maxTimeMs });
    }
    // The names of the last `list`; asked for at the first Tab after
    // `get ` when none has run.
    let listed: Promise<string[]> | null = null;
    let current = session;
    const complete = async (line: string): Promise<[string[], string]> => {
      if (listed === null && completesName(line)) {
        listed = fetchNames(current).catch(() => []);
      }
      return completeLine(line, await listed ?? []);
    };
    const input = interactive
      ? terminalInput(command, complete)
      : new PipeInput(Deno.stdin);
    const where = `${connectOptions.hostname}:${connectOptions.port}`;
    return await runPrompt(session, {
      ...getOptions,
      input,
      interactive,
      onListed: (names) => listed = Promise.resolve(names),
      reconnect: async () => {
        try {
          return current = await connect(connectOptions);
        } catch (error) {
          throw connectError(error, where);
        }
      },
    });
  } finally {
    consoleOutput.flush(); // what was printed last, before the exit
  }
}

/**
 * Runs the client in plain mode (`--plain`): its one request, or the
 * prompt, with no codes expected of the server.
 *
 * @returns the exit code.
 */
export async function runPlainClient(
  command: ClientCommandLine,
  config: ConnectConfig,
  clock: Clock,
): Promise<number> {
  const input = command.oneShot !== null
    ? null
    : Deno.stdin.isTerminal()
    ? terminalInput(command, (line) => Promise.resolve([[], line]))
    : new PipeInput(Deno.stdin);
  try {
    return await runPlain({
      command,
      config,
      input,
      output: consoleOutput,
      clock,
    });
  } finally {
    input?.close();
    consoleOutput.flush();
  }
}
