/**
 * How a session ends, as a kind: the one place that words it for the log.
 * The words a client is sent when the server closes its connection are
 * `closingText` (`wire/texts.ts`), over the same {@linkcode CloseReason}.
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import { type CloseReason, LineTooLongError } from "../wire/mod.ts";

/** How a session ended. */
export type SessionEnd =
  /** The client said `exit`. */
  | { kind: "exit" }
  /** The client ended its side of the stream. */
  | { kind: "closed" }
  /** The connection broke: the client went away. */
  | { kind: "gone" }
  /** The client reset the connection. */
  | { kind: "reset" }
  /** A request line over the limit. */
  | { kind: "line-too-long" }
  /** A TLS client at this plain server. */
  | { kind: "spoke-tls" }
  /** A TLS handshake that failed; `detail` is the TLS library's words. */
  | { kind: "tls-failed"; detail: string }
  /** The server closed the connection, and why. */
  | { kind: "stopped"; reason: CloseReason }
  /** Something went wrong here: logged as an error. */
  | { kind: "failed"; error: unknown };

/** Why the server closed a connection, in words for the log. */
export function stopWords(reason: CloseReason): string {
  switch (reason.kind) {
    case "shutdown":
      return "server shutting down";
    case "idle":
      return `idle for ${reason.timeoutMs / 1000} s`;
    case "full":
      return "server full";
    case "evicted":
      return "made room: no request while the server was full";
    case "yielded":
      return `made room: idle ${
        reason.idleMs / 1000
      } s while the server was full`;
    case "stalled":
      return `took no reply bytes for ${reason.stallMs / 1000} s`;
    case "wrong-tokens":
      return `wrong token ${reason.tries} times`;
    case "protected":
      return "protected mode: not from this machine";
  }
}

/** How a session ended, in words for the log. */
export function endWords(end: SessionEnd): string {
  switch (end.kind) {
    case "exit":
      return "left with exit";
    case "closed":
      return "closed by the client";
    case "gone":
      return "the client went away";
    case "reset":
      return "reset by the client";
    case "line-too-long":
      return "line too long";
    case "spoke-tls":
      return "spoke TLS to this plain-text server";
    case "tls-failed":
      return `TLS handshake failed: ${escapeControl(end.detail)}`;
    case "stopped":
      return stopWords(end.reason);
    case "failed":
      return `error: ${describeFault(end.error)}`;
  }
}

/** What went wrong, escaped, for the log. */
export function describeFault(error: unknown): string {
  return escapeControl(String(error));
}

/** Errors that mean the peer went away, not that something is wrong here. */
export function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.NotConnected;
}

/**
 * The end an error made of a session. `stopReason` is why the server was
 * stopping the connection, if it was: a write cut by the grace timer, or a
 * transfer given up for the stop (an `AbortError`), ends for that reason.
 */
export function endOf(
  error: unknown,
  stopReason: CloseReason | null,
  closed: boolean,
): SessionEnd {
  if (error instanceof LineTooLongError) return { kind: "line-too-long" };
  // On a TLS server: a client that did not speak TLS, or gave up on it.
  if (error instanceof Deno.errors.InvalidData) {
    return { kind: "tls-failed", detail: error.message };
  }
  if (
    stopReason !== null &&
    (closed || (error instanceof Error && error.name === "AbortError"))
  ) {
    return { kind: "stopped", reason: stopReason };
  }
  if (error instanceof Deno.errors.ConnectionReset) return { kind: "reset" };
  if (isDisconnect(error)) return { kind: "gone" };
  return { kind: "failed", error };
}
