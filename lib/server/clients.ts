/**
 * The clients of one server: each accepted connection is admitted with a
 * name while a slot is free, or turned away with `421`; all of them can be
 * stopped at once, and the group can be awaited until every one is gone.
 *
 * @module
 */

import { formatAddress, writeAll } from "../common/mod.ts";
import { ReplyWriter } from "../wire/mod.ts";
import type { ServerContext } from "./context.ts";
import {
  ClientConnection,
  type ClientConnectionOptions,
} from "./connection.ts";
import { ClientNamer } from "./naming.ts";
import { runSession } from "./session.ts";

/** Options of {@linkcode Clients}. */
export interface ClientsOptions extends ClientConnectionOptions {
  /** Clients connected at once. */
  maxClients: number;
}

/** Admits, turns away and stops the clients of one server. */
export class Clients {
  readonly #server: ServerContext;
  readonly #options: ClientsOptions;
  readonly #namer = new ClientNamer();
  readonly #connections = new Set<ClientConnection>();
  readonly #running = new Set<Promise<void>>();
  readonly #fullReply: Uint8Array;

  /** Creates an empty group for the server `server`. */
  constructor(server: ServerContext, options: ClientsOptions) {
    this.#server = server;
    this.#options = options;
    // The same words for every client turned away, encoded once.
    const full = new ReplyWriter(128);
    full.serverFull(options.maxClients);
    this.#fullReply = full.bytes().slice();
  }

  /** Admits `conn` if a slot is free, else turns it away. */
  accept(conn: Deno.TcpConn): void {
    if (this.#connections.size >= this.#options.maxClients) this.#reject(conn);
    else this.#admit(conn);
  }

  /** Stops every connected client with `421 Server is shutting down`. */
  stopAll(): void {
    for (const connection of this.#connections) {
      connection.stop({ kind: "shutdown" });
    }
  }

  /** Resolves once every session and every refusal has ended. */
  async drained(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  #admit(conn: Deno.TcpConn): void {
    const { cache, log, now } = this.#server;
    const name = this.#namer.next();
    const remote = formatAddress(conn.remoteAddr);
    cache.connect(name, remote, now());
    log("NEW CONNECTION", `${name} connected from ${remote}`);
    const connection = new ClientConnection(conn, this.#options);
    this.#connections.add(connection);
    const done: Promise<void> = runSession(connection, name, this.#server)
      .finally(() => {
        this.#connections.delete(connection);
        this.#running.delete(done);
      });
    this.#running.add(done);
  }

  #reject(conn: Deno.TcpConn): void {
    const { maxClients } = this.#options;
    const remote = formatAddress(conn.remoteAddr);
    this.#server.log(
      "REJECTED",
      `${remote}: server full (${maxClients} of ${maxClients})`,
    );
    const done: Promise<void> = writeAll(conn, this.#fullReply)
      .catch(() => {})
      .finally(() => {
        conn.close();
        this.#running.delete(done);
      });
    this.#running.add(done);
  }
}
