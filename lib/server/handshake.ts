/**
 * The TLS handshake of a client, before it is admitted: a client that
 * does not finish it in time, or fails it, never takes a slot or a name.
 *
 * @module
 */

import { type Clock, escapeControl, type TimerHandle } from "../common/mod.ts";
import { MAX_HANDSHAKES } from "./config.ts";
import { RelayedTlsConn } from "./tls_front.ts";

/** How a handshake went. */
export type HandshakeOutcome =
  | { kind: "done" }
  /** Not finished in time. */
  | { kind: "late"; ms: number }
  /** Given up to make room for a newer one. */
  | { kind: "pushed" }
  /** Failed; `detail` is the TLS library's words. */
  | { kind: "failed"; detail: string };

/**
 * The reason to abort a handshake's signal with when it is pushed out for
 * a newer one: a relayed peer is then held, not told at once (see
 * `RelayedTlsConn.hold`), so it cannot come straight back.
 */
export const PUSHED_FOR_NEWER: unique symbol = Symbol("pushed for a newer");

/**
 * Completes the TLS handshake of `conn` within `ms`, or until `signal`
 * pushes it out; one that fails, or is given up, is closed, or, pushed
 * out for a newer one, held until `ms` has passed.
 */
export async function handshakeWithin(
  conn: Deno.TlsConn,
  { ms, clock, signal }: { ms: number; clock: Clock; signal: AbortSignal },
): Promise<HandshakeOutcome> {
  const started = clock.now();
  let timer: TimerHandle | undefined;
  let pushed: (() => void) | undefined;
  const givenUp = new Promise<HandshakeOutcome>((resolve) => {
    timer = clock.setTimer(() => resolve({ kind: "late", ms }), ms);
    pushed = () => resolve({ kind: "pushed" });
    signal.addEventListener("abort", pushed, { once: true });
  });
  const done = conn.handshake().then(
    (): HandshakeOutcome => ({ kind: "done" }),
    (error): HandshakeOutcome => ({
      kind: "failed",
      detail: error instanceof Error ? error.message : String(error),
    }),
  );
  const outcome = await Promise.race([done, givenUp]);
  clock.clearTimer(timer);
  if (pushed !== undefined) signal.removeEventListener("abort", pushed);
  if (
    outcome.kind === "pushed" && signal.reason === PUSHED_FOR_NEWER &&
    conn instanceof RelayedTlsConn
  ) {
    conn.hold(started + ms - clock.now());
  } else if (outcome.kind !== "done") {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
  return outcome;
}

/**
 * The handshakes under way, at most {@linkcode MAX_HANDSHAKES}: one more
 * makes the oldest whose peer has not sent its hello whole give way (an
 * honest client sends it at once), else the oldest (an honest handshake
 * takes milliseconds, so the oldest is likely one that never ends).
 */
export class Handshakes {
  // Oldest first, each with what pushes it out.
  readonly #underWay = new Map<Deno.TlsConn, AbortController>();
  readonly #options: { ms: number; clock: Clock };

  /** Handshakes given `ms` each, timed on `clock`. */
  constructor(options: { ms: number; clock: Clock }) {
    this.#options = options;
  }

  /** Completes the handshake of `conn` (see {@linkcode handshakeWithin}). */
  async shake(conn: Deno.TlsConn): Promise<HandshakeOutcome> {
    if (this.#underWay.size >= MAX_HANDSHAKES) {
      const [given, pushOut] = this.#nextToGiveWay();
      this.#underWay.delete(given);
      pushOut.abort(PUSHED_FOR_NEWER);
    }
    const pushOut = new AbortController();
    this.#underWay.set(conn, pushOut);
    try {
      return await handshakeWithin(conn, {
        ...this.#options,
        signal: pushOut.signal,
      });
    } finally {
      this.#underWay.delete(conn);
    }
  }

  // The oldest whose peer has not sent its hello whole, else the oldest.
  #nextToGiveWay(): [Deno.TlsConn, AbortController] {
    for (const entry of this.#underWay) {
      const [conn] = entry;
      if (conn instanceof RelayedTlsConn && !conn.helloCame) return entry;
    }
    return this.#underWay.entries().next().value!;
  }

  /** Gives up every handshake under way. */
  stopAll(): void {
    for (const pushOut of this.#underWay.values()) pushOut.abort();
  }
}

/** Why a handshake did not get a client in, in words for the log. */
export function handshakeWords(
  outcome: Exclude<HandshakeOutcome, { kind: "done" }>,
): string {
  switch (outcome.kind) {
    case "late":
      return `no TLS handshake within ${outcome.ms / 1000} s`;
    case "pushed":
      return "TLS handshake given up for a newer one: too many under way";
    case "failed":
      return `TLS handshake failed: ${escapeControl(outcome.detail)}`;
  }
}

/** Whether `conn` speaks TLS. */
export function isTls(conn: Deno.Conn<Deno.NetAddr>): conn is Deno.TlsConn {
  return "handshake" in conn;
}
