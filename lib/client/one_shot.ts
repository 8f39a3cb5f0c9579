/**
 * The one-shot form, as redis-cli has: one request from the command line
 * (`status`, `get NAME -o FILE`), its reply, and an exit code that says
 * whether it succeeded.
 *
 * @module
 */

import { colors, escapeControl } from "../common/mod.ts";
import { COMMANDS, formatRequest, isFailure } from "../wire/mod.ts";
import { cancelledText, readTypedLine } from "./commands.ts";
import { ConnectionClosedError, DownloadStoppedError } from "./errors.ts";
import { type GetOptions, requestAndPrint, runGet } from "./present.ts";
import type { Session } from "./session.ts";
import { StopSignals } from "./signals.ts";

/**
 * Sends `line`, shows its reply (or downloads the file it asks for), then
 * leaves with `exit`; gives up after `maxTimeMs` (0: never).
 *
 * @returns 0 when the request succeeded; 1 for an error reply, a failed
 * download, a lost connection or too long a wait; 130 or 143 after SIGINT
 * or SIGTERM (a download is cut, and nothing of it kept).
 */
export async function runOnce(
  session: Session,
  line: string,
  options: GetOptions & { maxTimeMs: number },
): Promise<number> {
  const { output, clock, maxTimeMs } = options;
  using signals = new StopSignals(() => session.close());
  let late = false;
  const deadline = maxTimeMs === 0 ? undefined : clock.setTimer(() => {
    late = true;
    session.close();
  }, maxTimeMs);
  try {
    const typed = readTypedLine(line);
    let ok: boolean;
    if (typed.kind === "download") {
      const outcome = await runGet(session, typed, options);
      if (outcome === "refused") return 1; // the connection is gone
      ok = outcome === "saved";
    } else {
      const reply = await requestAndPrint(session, line, output);
      if (typed.kind === "send" && typed.request?.name === "exit") {
        return reply.code === COMMANDS.exit.code ? 0 : 1;
      }
      ok = !isFailure(reply.code);
    }
    // Leave as `exit` does, so the server logs a client that left; what
    // was asked for is done, whatever becomes of this.
    await session.request(formatRequest("exit")).catch(() => {});
    return ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ConnectionClosedError)) throw error;
    if (late) {
      output.error(colors.red(
        `error: ${escapeControl(line)} not done after ${
          maxTimeMs / 1000
        } s (--max-time); gave up`,
      ));
      return 1;
    }
    const code = signals.exitCode();
    if (code !== null) {
      const kept = error instanceof DownloadStoppedError &&
        error.keptPath !== null;
      output.error(cancelledText(line, true, kept));
      return code;
    }
    output.error(colors.red(`error: ${escapeControl(error.message)}`));
    return 1;
  } finally {
    clock.clearTimer(deadline);
    await session.close();
  }
}
