/**
 * The in-memory record of every client accepted since the server started.
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
}

/** Records of accepted clients, in order of acceptance. */
export class ConnectionCache {
  #records = new Map<string, ClientRecord>();
  #connected = 0;

  /**
   * Records a newly accepted client.
   *
   * @throws {Error} if a client of that name was already recorded.
   */
  connect(name: string, address: string, at: Date): ClientRecord {
    if (this.#records.has(name)) {
      throw new Error(`Client ${name} is already recorded`);
    }
    const record = { name, address, connectedAt: at, disconnectedAt: null };
    this.#records.set(name, record);
    this.#connected++;
    return record;
  }

  /**
   * Records that a client went away; a second call for the same client
   * keeps the first time.
   *
   * @throws {Error} if no client of that name was recorded.
   */
  disconnect(name: string, at: Date): void {
    const record = this.#records.get(name);
    if (!record) throw new Error(`Client ${name} is not recorded`);
    if (record.disconnectedAt) return;
    record.disconnectedAt = at;
    this.#connected--;
  }

  /** Number of clients recorded and still connected. */
  get connected(): number {
    return this.#connected;
  }

  /** Number of clients recorded since start. */
  get size(): number {
    return this.#records.size;
  }

  /** The records in order of acceptance. */
  records(): ClientRecord[] {
    return [...this.#records.values()];
  }
}
