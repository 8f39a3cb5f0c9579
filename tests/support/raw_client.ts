/**
 * A plain TCP client for exact checks: it sends raw bytes and reads
 * replies with the protocol's one reply reader, every wait bounded.
 *
 * @module
 */

import { writeAll } from "../../lib/common/mod.ts";
import {
  Code,
  parseGreeting,
  type Reply,
  ReplyReader,
} from "../../lib/wire/mod.ts";
import { within } from "../../tools/wait.ts";

const encoder = new TextEncoder();

/** A raw connection to a server under test. */
export class RawClient implements Disposable {
  /** The socket, for tests that need it directly. */
  readonly conn: Deno.TcpConn;
  /** The reader of the server's replies. */
  readonly replies: ReplyReader;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.replies = new ReplyReader(conn);
  }

  /** Connects to `hostname` (default 127.0.0.1) on `port`. */
  static async connect(
    port: number,
    hostname = "127.0.0.1",
  ): Promise<RawClient> {
    const conn = await within(
      Deno.connect({ hostname, port }),
      `a connection to port ${port}`,
    );
    return new RawClient(conn);
  }

  /** Connects and reads the greeting. */
  static async greeted(
    port: number,
  ): Promise<{ client: RawClient; name: string }> {
    const client = await RawClient.connect(port);
    const greeting = await client.reply();
    const name = greeting.code === Code.Greeting
      ? parseGreeting(greeting.lines[0])
      : null;
    if (name === null) {
      client.close();
      throw new Error(`Expected a greeting, got ${JSON.stringify(greeting)}`);
    }
    return { client, name };
  }

  /** Sends raw bytes or a string as is. */
  async write(data: string | Uint8Array): Promise<void> {
    await writeAll(
      this.conn,
      typeof data === "string" ? encoder.encode(data) : data,
    );
  }

  /** Sends one line terminated by LF. */
  send(line: string): Promise<void> {
    return this.write(line + "\n");
  }

  /** Reads one complete reply; throws if the connection ends first. */
  async reply(): Promise<Reply> {
    const reply = await within(this.replies.read(), "a reply");
    if (reply === null) throw new Error("Connection closed before a reply");
    return reply;
  }

  /** Sends a line and reads its reply. */
  async request(line: string): Promise<Reply> {
    await this.send(line);
    return await this.reply();
  }

  /**
   * Reads `size` raw bytes of the download the last reply announced, all
   * of them when `size` is left out.
   */
  async payload(size = this.replies.payload?.size ?? 0): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    if (size === 0 && this.replies.payload?.size === 0) {
      await this.replies.readPayload(() => {});
    }
    let got = 0;
    while (got < size) {
      const chunk = await within(
        this.replies.readPayloadChunk(out.subarray(got)),
        "payload bytes",
      );
      if (chunk === null) throw new Error(`Payload ended after ${got} bytes`);
      if (chunk.buffer !== out.buffer) out.set(chunk, got);
      got += chunk.length;
    }
    return out;
  }

  /** Resolves once the server has closed the connection (EOF or reset). */
  async closed(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    const drain = async () => {
      try {
        while (await this.conn.read(buf) !== null) { /* discard */ }
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      }
    };
    await within(drain(), "the server to close the connection");
  }

  /** Closes the connection (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
