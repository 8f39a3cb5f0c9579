/**
 * The admitted clients that have sent no request yet, longest admitted
 * first: the ones a newcomer that speaks to a full server may push out.
 *
 * @module
 */

import type { ClientConnection } from "./connection.ts";

/** An admitted client that has sent no request yet. */
export interface SilentClient {
  /** Its connection. */
  connection: ClientConnection;
  /** When it was admitted, on the server's clock. */
  since: number;
  /** Its name. */
  name: string;
}

/** The silent clients of a server, in order of admission. */
export class SilentClients {
  // Maps keep insertion order: the first is the longest admitted.
  readonly #clients = new Map<ClientConnection, SilentClient>();

  /** Adds a client just admitted, unless it has spoken already. */
  add(client: SilentClient): void {
    if (!client.connection.hasSpoken) {
      this.#clients.set(client.connection, client);
    }
  }

  /** Forgets `connection` (it left, or was pushed out). */
  delete(connection: ClientConnection): void {
    this.#clients.delete(connection);
  }

  /**
   * The one admitted longest that is still silent; `null` when every
   * client has spoken. Those that spoke since, or are stopping, are
   * forgotten on the way.
   */
  longest(): SilentClient | null {
    for (const [connection, client] of this.#clients) {
      if (!connection.hasSpoken && connection.stopReason === null) {
        return client;
      }
      this.#clients.delete(connection);
    }
    return null;
  }
}
