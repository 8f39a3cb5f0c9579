/**
 * Showing what the server says: a request's reply printed line by line as
 * it arrives, and a download with its progress bar and summary. Used by
 * the prompt and by the one-shot form alike.
 *
 * @module
 */

import {
  type Clock,
  colors,
  escapeControl,
  formatBytes,
  formatDuration,
  type Writer,
} from "../common/mod.ts";
import { COMMANDS, isFailure, type Reply } from "../wire/mod.ts";
import { ListedNames } from "./completion.ts";
import type { PromptOutput } from "./console.ts";
import { continueHint } from "./commands.ts";
import {
  ConnectionClosedError,
  DownloadStoppedError,
  ReplyError,
} from "./errors.ts";
import { ProgressBar } from "./progress.ts";
import type { Session } from "./session.ts";
import { DownloadRefusedError } from "./space.ts";
import { STANDARD_OUTPUT } from "./streamed_file.ts";

const decoder = new TextDecoder();

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
  if (reply.code === COMMANDS.list.code) onListed?.(names.names);
  return reply;
}

/** How a download is saved and shown. */
export interface GetOptions {
  /** Where text goes. */
  output: PromptOutput;
  /** Draw a progress bar while it runs. */
  showProgress: boolean;
  /** Folder for downloads. */
  downloadsDir: string;
  /** Refuse downloads larger than this; 0 for no limit. */
  maxDownloadBytes: number;
  /** Replace a file of the same name rather than number the new one. */
  overwrite: boolean;
  /**
   * Save under exactly this path, not in the downloads folder; `-` for
   * standard output.
   */
  saveAs?: string;
  /** Standard output, for `-o -`. */
  stdout?: Writer;
  /** Where the time comes from. */
  clock: Clock;
  /** Whether this is the one-shot form, for how to go on after a cut. */
  oneShot: boolean;
}

/**
 * How a `get` went: saved; failed with the connection still usable; or
 * refused by the client (too large), which closed the connection.
 */
export type GetOutcome = "saved" | "failed" | "refused";

/**
 * Downloads one file and reports it.
 *
 * @returns how it went.
 * @throws {ConnectionClosedError} if the connection ended.
 */
export async function runGet(
  session: Session,
  { name, resume }: { name: string; resume: boolean },
  options: GetOptions,
): Promise<GetOutcome> {
  const { output, clock } = options;
  const progress = options.showProgress
    ? new ProgressBar(escapeControl(name), {
      write: (text) => output.write(text),
      clock,
    })
    : null;
  const streamed = options.saveAs === STANDARD_OUTPUT;
  let keptPath: string | null = null;
  // What was printed goes out before the file's bytes do.
  if (streamed) output.flush();
  try {
    const result = await session.download(name, {
      dir: options.downloadsDir,
      saveAs: options.saveAs,
      stdout: options.stdout,
      overwrite: options.overwrite,
      maxBytes: options.maxDownloadBytes,
      resume,
      onKept: (path) => keptPath = path,
      onNotice: (text) => {
        progress?.clear();
        output.error(text);
      },
      onProgress: (received, size) => progress?.update(received, size),
    });
    progress?.clear();
    const size = formatBytes(result.size);
    const took = formatDuration(result.elapsedMs);
    output.error(
      streamed
        ? `Wrote ${
          escapeControl(name)
        } (${size}) to standard output in ${took}, SHA-256 verified`
        : `Saved ${escapeControl(options.saveAs ?? result.name)} (${size}${
          result.offset > 0 ? `, ${formatBytes(result.offset)} of it kept` : ""
        }) in ${took}, SHA-256 verified`,
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
    if (error instanceof ConnectionClosedError) {
      // A cut `get -c` kept what arrived: say how to go on.
      throw new DownloadStoppedError(
        keptPath === null
          ? error.message
          : `${error.message}: ${continueHint(name, options.oneShot)}`,
        keptPath,
        { cause: error.cause },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    output.error(colors.red(
      `error: Download of ${escapeControl(name)} failed: ${reason}; ${
        streamed
          ? "what went to standard output is not the file"
          : keptPath !== null
          ? `what arrived is kept in ${escapeControl(keptPath)}: ${
            continueHint(name, options.oneShot)
          }`
          : "nothing was saved"
      }`,
    ));
    return "failed";
  }
}
