/**
 * The admitted clients of a server, each with its name and when it was
 * admitted, and which of them makes room next for a newcomer that speaks
 * to a full server.
 *
 * Silent clients go first, longest admitted first: a client that has sent
 * no request yet, once its grace is over (its first line may be on its
 * way). Then, on a server with no token, clients that made requests but
 * have been idle for the yield limit, longest idle first. A token server
 * never pushes out a client that gave the token: a newcomer has not shown
 * it yet, and a client that has not given it counts as silent.
 *
 * @module
 */

import type { CloseReason } from "../wire/mod.ts";
import type { Timings } from "./config.ts";
import type { ClientConnection } from "./connection.ts";

/** An admitted client. */
export interface Occupant {
  /** Its connection. */
  connection: ClientConnection;
  /** When it was admitted, on the server's clock. */
  since: number;
  /** Its name. */
  name: string;
}

/** The client to make room next, from when, and the reason it is told. */
export interface Yielder {
  /** The client. */
  occupant: Occupant;
  /** From when it may be pushed out, on the server's clock. */
  at: number;
  /** What it is told as it is closed. */
  reason: CloseReason;
}

/** What decides who makes room. */
export interface YieldRules {
  /** The server's timings: the silent grace and the yield limit. */
  timings: Pick<Timings, "silentGraceMs" | "yieldIdleMs">;
  /** Whether clients that made requests may be pushed out when idle. */
  idleMayYield: boolean;
}

/** The admitted clients of one server. */
export class Occupants {
  // Maps keep insertion order: the first is the longest admitted.
  readonly #all = new Map<ClientConnection, Occupant>();
  // Those that had sent no request when last looked at; cleaned as they
  // are looked at.
  readonly #silent = new Map<ClientConnection, Occupant>();

  /** How many are admitted. */
  get size(): number {
    return this.#all.size;
  }

  /** Their connections, longest admitted first. */
  connections(): IterableIterator<ClientConnection> {
    return this.#all.keys();
  }

  /** Adds a client just admitted. */
  add(occupant: Occupant): void {
    this.#all.set(occupant.connection, occupant);
    if (!occupant.connection.hasSpoken) {
      this.#silent.set(occupant.connection, occupant);
    }
  }

  /**
   * Forgets `connection` (it left, or makes room).
   *
   * @returns whether it was still counted.
   */
  delete(connection: ClientConnection): boolean {
    this.#silent.delete(connection);
    return this.#all.delete(connection);
  }

  /**
   * The client to make room next, by the rules in this module's comment,
   * or `null` when none may: every client is busy, stopping, or protected
   * by having spoken.
   */
  nextToYield(now: number, rules: YieldRules): Yielder | null {
    const silent = this.#longestSilent();
    const { silentGraceMs, yieldIdleMs } = rules.timings;
    const first: Yielder | null = silent === null ? null : {
      occupant: silent,
      at: silent.since + silentGraceMs,
      reason: { kind: "evicted" },
    };
    if (first !== null && first.at <= now) return first;
    const idle = rules.idleMayYield && yieldIdleMs > 0
      ? this.#longestIdle()
      : null;
    const second: Yielder | null = idle === null ? null : {
      occupant: idle.occupant,
      at: idle.since + yieldIdleMs,
      reason: { kind: "yielded", idleMs: yieldIdleMs },
    };
    if (first === null) return second;
    return second !== null && second.at < first.at ? second : first;
  }

  #longestSilent(): Occupant | null {
    for (const [connection, occupant] of this.#silent) {
      if (!connection.hasSpoken && connection.stopReason === null) {
        return occupant;
      }
      this.#silent.delete(connection);
    }
    return null;
  }

  #longestIdle(): { occupant: Occupant; since: number } | null {
    let longest: { occupant: Occupant; since: number } | null = null;
    for (const [connection, occupant] of this.#all) {
      const since = connection.idleSince;
      if (
        connection.hasSpoken && connection.stopReason === null &&
        since !== null && (longest === null || since < longest.since)
      ) longest = { occupant, since };
    }
    return longest;
  }
}
