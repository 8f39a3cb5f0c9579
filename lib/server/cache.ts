/**
 * The in-memory record of the clients a server has accepted: every one
 * still connected, and the most recent that have left, up to a limit, so
 * that endless comings and goings cannot grow memory without bound.
 *
 * @module
 */

/** What the server remembers of one client. */
export interface ClientRecord {
  /** Name given at acceptance, e.g. `Client01`. */
  readonly name: string;
  /** Remote address as `host:port` (`[host]:port` for IPv6). */
  readonly address: string;
  /** When the connection was accepted. */
  readonly connectedAt: Date;
  /** When it ended; `null` while the client is connected. */
  disconnectedAt: Date | null;
  /**
   * The program it said it was in `hello` (`ackline-client/1.0.0`);
   * absent or `null` when it did not introduce itself.
   */
  agent?: string | null;
}

interface Entry {
  record: ClientRecord;
  /** Order of acceptance, for listing. */
  order: number;
}

/** Records of accepted clients, listed in order of acceptance. */
export class ConnectionCache {
  readonly #history: number;
  readonly #connected = new Map<string, Entry>();
  // Clients that left, oldest departure first (Maps keep insertion order).
  readonly #left = new Map<string, Entry>();
  #accepted = 0;
  #forgotten = 0;

  /**
   * Creates a cache that keeps, besides the connected clients, the
   * `history` most recent clients that left.
   */
  constructor(history = Infinity) {
    if (!(history >= 0)) throw new RangeError("History cannot be negative");
    this.#history = history;
  }

  /**
   * Records a newly accepted client.
   *
   * @throws {Error} if a client of that name is recorded.
   */
  connect(name: string, address: string, at: Date): ClientRecord {
    if (this.#connected.has(name) || this.#left.has(name)) {
      throw new Error(`Client ${name} is already recorded`);
    }
    const record = { name, address, connectedAt: at, disconnectedAt: null };
    this.#connected.set(name, { record, order: this.#accepted++ });
    return record;
  }

  /** Records the program a connected client said it was. */
  introduce(name: string, agent: string): void {
    const entry = this.#connected.get(name);
    if (entry) entry.record.agent = agent;
  }

  /**
   * Records that a connected client is leaving at `at` (its slot went to
   * another): from now it counts as gone, though its session still winds
   * down; {@linkcode disconnect} keeps this time.
   */
  leaving(name: string, at: Date): void {
    const entry = this.#connected.get(name);
    if (entry) entry.record.disconnectedAt ??= at;
  }

  /**
   * Records that a client went away (at the time it was found leaving,
   * if it was); a second call for the same client keeps the first time.
   * The oldest departures beyond the history are forgotten.
   *
   * @returns the client's record, or `null` when it was already recorded
   * as gone.
   * @throws {Error} if no client of that name is connected or remembered.
   */
  disconnect(name: string, at: Date): ClientRecord | null {
    const entry = this.#connected.get(name);
    if (!entry) {
      if (this.#left.has(name)) return null;
      throw new Error(`Client ${name} is not recorded`);
    }
    this.#connected.delete(name);
    entry.record.disconnectedAt ??= at;
    this.#left.set(name, entry);
    if (this.#left.size > this.#history) {
      this.#left.delete(this.#left.keys().next().value!);
      this.#forgotten++;
    }
    return entry.record;
  }

  /** Number of clients connected now. */
  get connected(): number {
    let count = 0;
    for (const { record } of this.#connected.values()) {
      if (record.disconnectedAt === null) count++;
    }
    return count;
  }

  /** Number of clients accepted since start. */
  get size(): number {
    return this.#accepted;
  }

  /** Number of clients that left and are no longer remembered. */
  get forgotten(): number {
    return this.#forgotten;
  }

  /** The records kept, in order of acceptance. */
  records(): ClientRecord[] {
    return [...this.#connected.values(), ...this.#left.values()]
      .sort((a, b) => a.order - b.order)
      .map((entry) => entry.record);
  }
}
