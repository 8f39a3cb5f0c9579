/**
 * Client sessions for tests, every wait bounded: the session's own watchdog
 * gives up on a reply after {@linkcode WAIT_MS}, and closing it is bounded
 * too.
 *
 * @module
 */

import { connect, type ConnectOptions, type Session } from "../../client.ts";
import { WAIT_MS, within } from "../../tools/wait.ts";

/** Connects to 127.0.0.1 on `port`, with replies awaited at most `WAIT_MS`. */
export async function openSession(
  port: number,
  options: ConnectOptions = {},
): Promise<Session> {
  return await within(
    connect({ port, replyTimeoutMs: WAIT_MS, ...options }),
    "the session to connect",
  );
}

/** Closes a session; resolves with why it ended. */
export async function closeSession(session: Session): Promise<string> {
  await within(session.close(), "the session to close");
  return await session.closed;
}
