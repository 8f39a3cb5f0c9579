/**
 * The idle watch's decision: when a client that makes no request is
 * closed, and when to look again.
 *
 * A client that reads slowly is woken for only when a good part of the
 * socket's send buffer has drained, which at a slow but steady pace can
 * take longer than a short idle timeout: while a reply is under way, the
 * client gets the longer stall limit instead.
 *
 * @module
 */

import type { CloseReason } from "../wire/mod.ts";
import type { Timings } from "./config.ts";

/** Look again in `ms`, or stop the client for `reason`. */
export type IdleVerdict =
  | { kind: "again"; ms: number }
  | { kind: "stop"; reason: CloseReason };

/**
 * What to do with a client idle for `idleFor` ms, `writing` a reply or
 * not, under `timings` (an idle timeout above 0).
 */
export function idleVerdict(
  idleFor: number,
  writing: boolean,
  { idleMs, stallMs }: Pick<Timings, "idleMs" | "stallMs">,
): IdleVerdict {
  const limit = writing ? Math.max(idleMs, stallMs) : idleMs;
  if (idleFor < limit) {
    return { kind: "again", ms: Math.min(limit - idleFor, idleMs) };
  }
  return {
    kind: "stop",
    reason: writing
      ? { kind: "stalled", stallMs: limit }
      : { kind: "idle", timeoutMs: limit },
  };
}
