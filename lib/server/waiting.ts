/**
 * Newcomers not (yet) admitted: waiting for the first line of one that
 * waits for a slot, and turning one away with its reply.
 *
 * @module
 */

import { type Clock, type TimerHandle, writeAll } from "../common/mod.ts";
import { type CloseReason, ReplyWriter } from "../wire/mod.ts";
import type { ClientConnection } from "./connection.ts";
import { lingerThenClose } from "./linger.ts";

/**
 * Reads until a complete line is buffered (`"spoke"`), `timeoutMs` passes
 * (`"silent"`), or the client leaves or sends too long a line (`"gone"`).
 * After `"silent"` a read is still under way; the session takes it over.
 */
export async function firstLine(
  connection: ClientConnection,
  clock: Clock,
  timeoutMs: number,
): Promise<"spoke" | "silent" | "gone"> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<"silent">((resolve) => {
    timer = clock.setTimer(() => resolve("silent"), timeoutMs);
  });
  try {
    while (!connection.lines.hasLine()) {
      const result = await Promise.race([connection.readAhead(), timeout]);
      if (result === "silent") return result;
      if (!result) return "gone";
    }
    return "spoke";
  } catch {
    return "gone";
  } finally {
    clock.clearTimer(timer);
  }
}

/** The bytes of the `421` that closes a connection for `reason`. */
export function closingReply(reason: CloseReason): Uint8Array {
  const out = new ReplyWriter();
  out.closing(reason);
  return out.bytes().slice();
}

/**
 * Writes `reply` to a connection never admitted, and closes it once the
 * peer has read it, or after `graceMs` whatever it does.
 */
export function turnAway(
  conn: Deno.Conn<Deno.NetAddr>,
  reply: Uint8Array,
  { clock, graceMs }: { clock: Clock; graceMs: number },
): Promise<void> {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clock.clearTimer(timer);
    conn.close();
  };
  const timer = clock.setTimer(close, graceMs);
  return writeAll(conn, reply).then(
    () => lingerThenClose(conn, close),
    close,
  );
}
