/**
 * The accept loop: takes connections off the listener and hands each over.
 * A failure that concerns one connection (it was reset before it was
 * accepted) is skipped at once; a failure of the process (out of file
 * descriptors or memory) backs off, exponentially, and is logged once per
 * burst.
 *
 * @module
 */

import type { Clock } from "../common/mod.ts";
import type { Logger } from "./log.ts";

/** What the loop needs of a listener. */
export interface Acceptor {
  /** Waits for the next connection. */
  accept(): Promise<Deno.Conn<Deno.NetAddr>>;
}

/** Options of {@linkcode acceptLoop}. */
export interface AcceptLoopOptions {
  /**
   * Asked before each accept: a promise to wait for first (see
   * {@linkcode ioTurn}), or nothing to accept at once.
   */
  beforeAccept?: () => Promise<void> | null;
  /** Where a burst of failures is reported. */
  log: Logger;
  /** Ends the loop. */
  signal: AbortSignal;
  /** Where the pauses between tries are timed. */
  clock: Clock;
}

/** First pause after a failure that is not one connection's. */
export const FIRST_BACKOFF_MS = 5;
/** Longest pause between tries. */
export const MAX_BACKOFF_MS = 1000;

/**
 * Resolves once the runtime has polled its sockets again. Accepts from a
 * full backlog resolve one after another without that, before a single
 * read of the connections they made completes.
 */
export function ioTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Whether an accept failure concerns only the connection it was for. */
export function isConnectionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.ConnectionReset;
}

/**
 * Accepts connections until `signal` aborts or the listener closes,
 * handing each to `handle`.
 */
export async function acceptLoop(
  listener: Acceptor,
  handle: (conn: Deno.Conn<Deno.NetAddr>) => void,
  { log, signal, clock, beforeAccept }: AcceptLoopOptions,
): Promise<void> {
  let failures = 0;
  let backoff = FIRST_BACKOFF_MS;
  while (!signal.aborted) {
    const first = beforeAccept?.();
    if (first) await first;
    let conn: Deno.Conn<Deno.NetAddr>;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (signal.aborted || error instanceof Deno.errors.BadResource) return;
      if (isConnectionError(error)) continue; // gone before it was accepted
      if (failures++ === 0) log("ERROR", `Accept failed: ${error}; retrying`);
      await clock.sleep(backoff, signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      continue;
    }
    if (failures > 0) {
      log("SERVER", `Accepting again after ${failures} failed attempts`);
      failures = 0;
      backoff = FIRST_BACKOFF_MS;
    }
    if (signal.aborted) conn.close();
    else handle(conn);
  }
}
