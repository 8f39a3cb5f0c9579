/**
 * The TLS handshake of a client, before it is admitted: a client that
 * does not finish it in time, or fails it, never takes a slot or a name.
 *
 * @module
 */

import { type Clock, escapeControl, type TimerHandle } from "../common/mod.ts";

/** How a handshake went. */
export type HandshakeOutcome =
  | { kind: "done" }
  /** Not finished in time. */
  | { kind: "late"; ms: number }
  /** Failed; `detail` is the TLS library's words. */
  | { kind: "failed"; detail: string };

/**
 * Completes the TLS handshake of `conn` within `ms`; a handshake not done
 * by then is abandoned and the connection closed, as is one that fails.
 */
export async function handshakeWithin(
  conn: Deno.TlsConn,
  ms: number,
  clock: Clock,
): Promise<HandshakeOutcome> {
  let timer: TimerHandle | undefined;
  const late = new Promise<HandshakeOutcome>((resolve) => {
    timer = clock.setTimer(() => resolve({ kind: "late", ms }), ms);
  });
  const done = conn.handshake().then(
    (): HandshakeOutcome => ({ kind: "done" }),
    (error): HandshakeOutcome => ({
      kind: "failed",
      detail: error instanceof Error ? error.message : String(error),
    }),
  );
  const outcome = await Promise.race([done, late]);
  clock.clearTimer(timer);
  if (outcome.kind !== "done") {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
    await done; // settled by the close
  }
  return outcome;
}

/** Why a handshake did not get a client in, in words for the log. */
export function handshakeWords(
  outcome: Exclude<HandshakeOutcome, { kind: "done" }>,
): string {
  return outcome.kind === "late"
    ? `no TLS handshake within ${outcome.ms / 1000} s`
    : `TLS handshake failed: ${escapeControl(outcome.detail)}`;
}

/** Whether `conn` speaks TLS. */
export function isTls(conn: Deno.Conn<Deno.NetAddr>): conn is Deno.TlsConn {
  return "handshake" in conn;
}
