/**
 * The clients of one server: each accepted connection is admitted with a
 * name while a slot is free, or turned away with `421`; all of them can be
 * stopped at once, and the group can be awaited until every one is gone.
 *
 * A full server makes room for a newcomer that sends its first line in
 * the admission wait: the first slot that frees, or that of the client that
 * makes room next (`occupants.ts`: a silent one, or one idle for the yield
 * limit), told why and closed. A silent newcomer pushes no one out and
 * queues behind one that spoke: reconnecting hogs cannot starve clients.
 *
 * @module
 */

import { formatAddress } from "../common/mod.ts";
import type { CloseReason } from "../wire/mod.ts";

import { ioTurn } from "./accept.ts";
import { refusesPeer } from "./access.ts";
import { MAX_LINGERING } from "./config.ts";
import { ClientConnection } from "./connection.ts";
import type { ClientConnectionOptions, ServerContext } from "./context.ts";
import { LingerPlaces } from "./linger.ts";
import { Handshakes, handshakeWords, isTls } from "./handshake.ts";
import { ClientNamer } from "./naming.ts";
import { Occupants, type Yielder } from "./occupants.ts";
import { IdleSweep } from "./idle.ts";
import { RunningCount } from "./running.ts";
import { runSession, type SessionOwner } from "./session.ts";
import { closingReply, firstLine, turnAway, WaitingRoom } from "./waiting.ts";

/** Admits, turns away and stops the clients of one server. */
export class Clients {
  readonly #server: ServerContext;
  readonly #connectionOptions: ClientConnectionOptions;
  readonly #namer = new ClientNamer();
  readonly #occupants = new Occupants();
  // Newcomers to a full server, given time to send their first line.
  readonly #waiting: WaitingRoom;
  readonly #running = new Set<Promise<void>>();
  // Sessions, counted (see #owner): no promise of their own is kept.
  readonly #sessions = new RunningCount();
  #reserved = 0; // slots handed to newcomers still in the waiting room
  readonly #handshakes: Handshakes; // TLS clients not yet through
  #stopping = false;
  // Until the newcomer at the waiting room's door is decided on.
  #doorOpen: Promise<void> | null = null;
  readonly #full: CloseReason;
  readonly #protectedReply: Uint8Array;

  /** Creates an empty group for the server `server`. */
  constructor(server: ServerContext) {
    this.#server = server;
    const { maxLineBytes, timings } = server.config;
    this.#connectionOptions = {
      maxLineBytes,
      timings,
      clock: server.clock,
      lingering: new LingerPlaces(MAX_LINGERING),
      idle: new IdleSweep(server.clock),
    };
    this.#waiting = new WaitingRoom({
      clock: server.clock,
      graceMs: timings.silentGraceMs,
    });
    this.#handshakes = new Handshakes({
      ms: timings.handshakeMs,
      clock: server.clock,
    });
    this.#full = { kind: "full", maxClients: server.config.maxClients };
    // The same words for every client turned away, encoded once.
    this.#protectedReply = closingReply({ kind: "protected" });
  }

  /**
   * Admits `conn` if a slot is free, else turns it away or lets it wait;
   * protected mode turns away at once a peer from another machine. A TLS
   * client finishes its handshake first.
   */
  accept(conn: Deno.Conn<Deno.NetAddr>): void {
    if (refusesPeer(this.#server.access, conn.remoteAddr.hostname)) {
      this.#refuseProtected(conn);
    } else if (!isTls(conn)) this.#place(conn);
    else this.#track(this.#handshake(conn));
  }

  /**
   * What to wait for before the next accept: the decision on the newcomer
   * at the waiting room's door; or I/O's turn, when the next newcomer
   * would push out of the room one whose first line may have come but not
   * been read yet (accepts from a full backlog come before any read);
   * `null` to accept at once.
   */
  beforeAccept(): Promise<void> | null {
    if (this.#doorOpen !== null) return this.#doorOpen;
    if (!this.#waiting.needsTurn()) return null;
    return ioTurn().then(() => this.#waiting.turned());
  }

  /**
   * Decides on `door`, the newcomer at the waiting room's door, once its
   * first read is back (on a busy server that takes longer than a turn) or
   * its time at the door is up.
   */
  async #atDoor(door: ClientConnection): Promise<void> {
    const { clock, config } = this.#server;
    const back = new AbortController();
    // The read its wait for a line began.
    const read = door.readAhead().catch(() => {});
    await Promise.race([
      read,
      clock.sleep(
        config.timings.doorMs,
        AbortSignal.any([back.signal, door.signal]),
      ),
    ]);
    back.abort();
    this.#waiting.openDoor(door, door.lines.hasLine())?.stop(this.#full);
  }

  /** Stops every connected or waiting client with `421`. */
  stopAll(): void {
    this.#stopping = true;
    for (
      const connection of [...this.#occupants.connections(), ...this.#waiting]
    ) {
      connection.stop({ kind: "shutdown" });
    }
    this.#handshakes.stopAll();
  }

  #place(conn: Deno.Conn<Deno.NetAddr>): void {
    // A free slot goes first to a newcomer that waits for one.
    if (this.#hasRoom() && this.#waiting.isEmpty) {
      this.#admit(this.#wrap(conn));
    } else {
      this.#hold(this.#wrap(conn));
      this.#offerSlots();
    }
  }

  async #handshake(conn: Deno.TlsConn): Promise<void> {
    const outcome = await this.#handshakes.shake(conn);
    if (outcome.kind === "done") {
      if (this.#stopping) conn.close();
      else this.#place(conn);
      return;
    }
    if (!this.#stopping) this.#logTurnedAway(conn, handshakeWords(outcome));
  }

  #logTurnedAway(conn: Deno.Conn<Deno.NetAddr>, why: string, reason = why) {
    const remote = formatAddress(conn.remoteAddr);
    this.#server.log("REJECTED", `${remote}: ${why}`, { remote, reason });
  }

  /** Resolves once every session and every refusal has ended. */
  async drained(): Promise<void> {
    while (this.#running.size > 0 || this.#sessions.size > 0) {
      await Promise.all([...this.#running, this.#sessions.none()]);
    }
  }

  #hasRoom(): boolean {
    return this.#occupants.size + this.#reserved <
      this.#server.config.maxClients;
  }

  #nextToYield(): Yielder | null {
    const { clock, config, token } = this.#server;
    return this.#occupants.nextToYield(clock.now(), {
      timings: config.timings,
      idleMayYield: token === null,
    });
  }

  #wrap(conn: Deno.Conn<Deno.NetAddr>): ClientConnection {
    return new ClientConnection(conn, this.#connectionOptions);
  }

  #track(done: Promise<void>): void {
    const tracked: Promise<void> = done.finally(() =>
      this.#running.delete(tracked)
    );
    this.#running.add(tracked);
  }

  #admit(connection: ClientConnection): void {
    const { cache, log, clock } = this.#server;
    const name = this.#namer.next();
    const remote = formatAddress(connection.remoteAddr);
    cache.connect(name, remote, clock.date());
    log("NEW CONNECTION", `${name} connected from ${remote}`, {
      client: name,
      remote,
    });
    this.#occupants.add({ connection, since: clock.now(), name });
    this.#sessions.add();
    runSession(connection, name, this.#server, this.#owner);
  }

  // What every session tells at its end.
  readonly #owner: SessionOwner = {
    ended: (connection) => {
      // Still counted when it was pushed out for a newcomer: that one has
      // its slot already.
      if (this.#occupants.delete(connection)) this.#offerSlots();
    },
    finished: () => this.#sessions.done(),
  };

  /** Lets a newcomer to a full server wait for its first line. */
  #hold(connection: ClientConnection): void {
    const left = this.#waiting.enter(connection);
    if (left === connection) {
      // No room, no one in it may leave for this one yet, the door taken.
      this.#logRejected(connection);
      this.#track(this.#refuse(connection, this.#full));
      return;
    }
    left?.stop(this.#full);
    this.#track(this.#admitWhenSpoken(connection));
    if (this.#waiting.door === connection) {
      const open: Promise<void> = this.#atDoor(connection).finally(() => {
        if (this.#doorOpen === open) this.#doorOpen = null;
      });
      this.#doorOpen = open;
      this.#track(open);
    }
  }

  /** Tells a newcomer never admitted why, and closes it. */
  async #refuse(connection: ClientConnection, reason: CloseReason) {
    connection.out.closing(reason);
    await connection.flush().catch(() => {});
    await connection.finish();
  }

  async #admitWhenSpoken(connection: ClientConnection): Promise<void> {
    const { clock, config } = this.#server;
    const waitMs = config.timings.admissionWaitMs;
    const waitUntil = clock.now() + waitMs;
    const granted = this.#waiting.granted(connection);
    const outcome = await firstLine(connection, clock, waitMs, granted);
    let admitted = false;
    try {
      if (outcome === "gone" || connection.stopReason !== null) {
        // Left, or pushed out of the waiting room (already told why).
        if (connection.stopReason?.kind === "full") {
          this.#logRejected(connection);
        }
        await connection.finish();
        return;
      }
      if (outcome === "spoke") this.#waiting.spoke(connection);
      admitted = outcome === "granted" ||
        await this.#makeRoom(outcome === "spoke", waitUntil, connection);
      if (!admitted) {
        // Not a shutdown's: that says so itself.
        if (connection.stopReason === null) this.#logRejected(connection);
        await this.#refuse(connection, connection.stopReason ?? this.#full);
        return;
      }
    } finally {
      // A slot handed to it becomes its own below, or goes to the next.
      if (this.#waiting.leave(connection)) {
        this.#reserved--;
        if (!admitted) this.#offerSlots();
      }
    }
    this.#admit(connection);
  }

  /**
   * Finds a slot for a newcomer by `waitUntil`: one handed to it as it
   * frees, or, for one that spoke, that of the client that makes room
   * next, once it may.
   *
   * @returns whether it has a slot now.
   */
  async #makeRoom(
    spoke: boolean,
    waitUntil: number,
    newcomer: ClientConnection,
  ): Promise<boolean> {
    const { clock } = this.#server;
    const granted = this.#waiting.granted(newcomer);
    for (;;) {
      if (newcomer.stopReason !== null) return false;
      if (this.#waiting.hasSlot(newcomer)) return true;
      const now = clock.now();
      const yielder = spoke ? this.#nextToYield() : null;
      if (yielder !== null && yielder.at <= now) {
        // Its slot is the newcomer's from now: so is its place in status.
        const { connection, name } = yielder.occupant;
        this.#occupants.delete(connection);
        this.#server.cache.leaving(name, clock.date());
        connection.stop(yielder.reason);
        this.#waiting.grant(newcomer);
        this.#reserved++;
        return true;
      }
      if (now >= waitUntil) return false;
      // Until one may make room, or a slot is handed to it, within the
      // admission wait.
      const until = Math.min(yielder?.at ?? waitUntil, waitUntil);
      const waiting = new AbortController();
      try {
        await Promise.race([
          clock.sleep(
            until - now,
            AbortSignal.any([waiting.signal, newcomer.signal]),
          ),
          granted,
        ]);
      } finally {
        waiting.abort();
      }
    }
  }

  /** Hands the free slots to newcomers waiting, in their turn. */
  #offerSlots(): void {
    while (this.#hasRoom() && this.#waiting.grant() !== undefined) {
      this.#reserved++;
    }
  }

  #logRejected(connection: ClientConnection | Deno.Conn<Deno.NetAddr>): void {
    const { maxClients } = this.#server.config;
    const remote = formatAddress(connection.remoteAddr);
    this.#server.log(
      "REJECTED",
      `${remote}: server full (${maxClients} of ${maxClients})`,
      { remote, reason: "server full", maxClients },
    );
  }

  #refuseProtected(conn: Deno.Conn<Deno.NetAddr>): void {
    this.#logTurnedAway(
      conn,
      "protected mode (not from this machine, and no token is set)",
      "protected mode",
    );
    this.#turnAway(conn, this.#protectedReply);
  }

  /** Writes `reply` to a connection never admitted, and closes it. */
  #turnAway(conn: Deno.Conn<Deno.NetAddr>, reply: Uint8Array): void {
    const { clock, config } = this.#server;
    this.#track(
      turnAway(conn, reply, {
        clock,
        graceMs: config.timings.closeGraceMs,
        lingering: this.#connectionOptions.lingering,
      }),
    );
  }
}
