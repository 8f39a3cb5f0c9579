/**
 * The clients of one server: each accepted connection is admitted with a
 * name while a slot is free, or turned away with `421`; all of them can be
 * stopped at once, and the group can be awaited until every one is gone.
 *
 * A full server still makes room for a client that speaks: while some slot
 * is held by a connection that has never sent a request (a silent or
 * trickling hog, or a person who has not typed yet), a newcomer gets
 * {@linkcode ADMISSION_WAIT_MS} to send its first line, and if it does, the
 * longest-held such connection is told why and closed, and the newcomer
 * takes its slot. A client that has made a request is never pushed out, and
 * a newcomer that does not speak cannot push anyone out, so hogs that
 * reconnect at once cannot starve real clients (which speak at once).
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
import { ADMISSION_WAIT_MS, CLOSE_GRACE_MS, MAX_WAITING } from "./defaults.ts";
import { lingerThenClose } from "./linger.ts";

/** Options of {@linkcode Clients}. */
export interface ClientsOptions extends ClientConnectionOptions {
  /** Clients connected at once. */
  maxClients: number;
  /** How long a newcomer to a full server gets to speak; tests shorten it. */
  admissionWaitMs?: number;
}

/** Admits, turns away and stops the clients of one server. */
export class Clients {
  readonly #server: ServerContext;
  readonly #options: ClientsOptions;
  readonly #namer = new ClientNamer();
  readonly #connections = new Set<ClientConnection>();
  // Admitted connections that had sent no request when last looked at, in
  // order of admission; cleaned as they are looked at.
  readonly #silent = new Set<ClientConnection>();
  // Newcomers to a full server, given time to send their first line.
  readonly #waiting = new Set<ClientConnection>();
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

  /** Admits `conn` if a slot is free, else turns it away or lets it wait. */
  accept(conn: Deno.TcpConn): void {
    if (this.#hasRoom()) this.#admit(this.#wrap(conn));
    else if (this.#longestSilent() === undefined) this.#reject(conn);
    else this.#hold(this.#wrap(conn));
  }

  /** Stops every connected or waiting client with `421`. */
  stopAll(): void {
    for (const connection of [...this.#connections, ...this.#waiting]) {
      connection.stop({ kind: "shutdown" });
    }
  }

  /** Resolves once every session and every refusal has ended. */
  async drained(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  #hasRoom(): boolean {
    return this.#connections.size < this.#options.maxClients;
  }

  #wrap(conn: Deno.TcpConn): ClientConnection {
    return new ClientConnection(conn, this.#options);
  }

  /** The admitted connection that has waited longest without a request. */
  #longestSilent(): ClientConnection | undefined {
    for (const connection of this.#silent) {
      if (connection.hasSpoken || connection.stopReason !== null) {
        this.#silent.delete(connection);
      } else {
        return connection;
      }
    }
    return undefined;
  }

  #track(done: Promise<void>): void {
    const tracked: Promise<void> = done.finally(() =>
      this.#running.delete(tracked)
    );
    this.#running.add(tracked);
  }

  #admit(connection: ClientConnection): void {
    const { cache, log, now } = this.#server;
    const name = this.#namer.next();
    const remote = formatAddress(connection.remoteAddr);
    cache.connect(name, remote, now());
    log("NEW CONNECTION", `${name} connected from ${remote}`);
    this.#connections.add(connection);
    if (!connection.hasSpoken) this.#silent.add(connection);
    this.#track(
      runSession(connection, name, this.#server).finally(() => {
        this.#connections.delete(connection);
        this.#silent.delete(connection);
      }),
    );
  }

  /** Lets a newcomer to a full server wait for its first line. */
  #hold(connection: ClientConnection): void {
    if (this.#waiting.size >= MAX_WAITING) {
      const [longest] = this.#waiting;
      longest.stop({ kind: "full", maxClients: this.#options.maxClients });
    }
    this.#waiting.add(connection);
    this.#track(this.#admitWhenSpoken(connection));
  }

  async #admitWhenSpoken(connection: ClientConnection): Promise<void> {
    const waitMs = this.#options.admissionWaitMs ?? ADMISSION_WAIT_MS;
    const outcome = await connection.firstLine(waitMs);
    this.#waiting.delete(connection);
    if (outcome === "gone" || connection.stopReason !== null) {
      // Left, or pushed out of the waiting room (already told why).
      if (connection.stopReason?.kind === "full") this.#logRejected(connection);
      await connection.finish();
      return;
    }
    if (!this.#hasRoom()) {
      const silent = outcome === "spoke" ? this.#longestSilent() : undefined;
      if (silent === undefined) {
        this.#logRejected(connection);
        connection.out.closing({
          kind: "full",
          maxClients: this.#options.maxClients,
        });
        await connection.flush().catch(() => {});
        await connection.finish();
        return;
      }
      this.#connections.delete(silent);
      this.#silent.delete(silent);
      silent.stop({ kind: "evicted" });
    }
    this.#admit(connection);
  }

  #logRejected(connection: ClientConnection | Deno.TcpConn): void {
    const { maxClients } = this.#options;
    this.#server.log(
      "REJECTED",
      `${
        formatAddress(connection.remoteAddr)
      }: server full (${maxClients} of ${maxClients})`,
    );
  }

  #reject(conn: Deno.TcpConn): void {
    this.#logRejected(conn);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      conn.close();
    };
    const timer = setTimeout(close, CLOSE_GRACE_MS);
    this.#track(
      writeAll(conn, this.#fullReply).then(
        () => lingerThenClose(conn, close),
        close,
      ),
    );
  }
}
