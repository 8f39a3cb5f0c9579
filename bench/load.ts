/**
 * The load generator: opens connections to a server that speaks ackline's
 * lines and measures echo rate and latency, download rate, and the memory
 * a server spends on idle connections. It reads replies with the
 * protocol's reply reader, walking lines without decoding them, so it
 * works against any server that answers in reply lines.
 *
 * @module
 */

import { isTcp, writeAll } from "../lib/common/mod.ts";
import { Code, formatRequest, ReplyReader } from "../lib/wire/mod.ts";

const encoder = new TextEncoder();

/** A 64-byte echo request: 63 bytes of text and LF. */
export const MESSAGE: Uint8Array = encoder.encode("x".repeat(63) + "\n");

/** Echo figures of one run. */
export interface EchoResult {
  /** Replies received within the time window. */
  messages: number;
  /** Replies per second. */
  perSecond: number;
  /** Median round trip in milliseconds (ping-pong only). */
  p50Ms: number | null;
  /** 99th percentile round trip in milliseconds (ping-pong only). */
  p99Ms: number | null;
}

/** A greeted connection and the reader of its replies. */
export interface Connection {
  conn: Deno.Conn<Deno.NetAddr>;
  replies: ReplyReader;
}

/** Opens a connection and reads its greeting. */
export async function openConnection(
  port: number,
  tls?: { caCerts: string[] },
): Promise<Connection> {
  const conn: Deno.Conn<Deno.NetAddr> = tls
    ? await Deno.connectTls({ hostname: "127.0.0.1", port, ...tls })
    : await Deno.connect({ hostname: "127.0.0.1", port });
  if (isTcp(conn)) conn.setNoDelay(true);
  const replies = new ReplyReader(conn);
  const greeting = await replies.read().catch((error) => {
    conn.close();
    throw error;
  });
  if (greeting?.code !== Code.Greeting) {
    conn.close();
    throw new Error(`Turned away: ${greeting?.lines.join(" ")}`);
  }
  return { conn, replies };
}

/**
 * Waits for at least one more complete reply.
 *
 * @returns how many replies ended in what was read.
 */
async function repliesArrived(replies: ReplyReader): Promise<number> {
  let done = 0;
  while (done === 0) {
    if (!await replies.fill()) throw new Error("Server closed the connection");
    while (replies.nextLine()) if (replies.last) done++;
  }
  return done;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * Each of `connections` sends a message, waits for its reply, and repeats
 * until `seconds` have passed: throughput and round-trip latency.
 */
export async function pingPong(
  port: number,
  connections: number,
  seconds: number,
): Promise<EchoResult> {
  const conns = await openAll(port, connections);
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(conns.map(async ({ conn, replies }) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      await writeAll(conn, MESSAGE);
      await repliesArrived(replies);
      latencies.push(performance.now() - sent);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  closeAll(conns);
  const sorted = Float64Array.from(latencies).sort();
  return {
    messages: latencies.length,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

/**
 * Each of `connections` keeps `depth` messages in flight, sending as many
 * new ones as replies arrive, until `seconds` have passed.
 */
export async function pipelined(
  port: number,
  connections: number,
  depth: number,
  seconds: number,
): Promise<EchoResult> {
  const conns = await openAll(port, connections);
  const batch = new Uint8Array(MESSAGE.length * depth);
  for (let i = 0; i < depth; i++) batch.set(MESSAGE, i * MESSAGE.length);
  let total = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(conns.map(async ({ conn, replies }) => {
    await writeAll(conn, batch);
    let inFlight = depth;
    while (inFlight > 0) {
      const done = await repliesArrived(replies);
      inFlight -= done;
      if (performance.now() < deadline) {
        total += done;
        await writeAll(conn, batch.subarray(0, done * MESSAGE.length));
        inFlight += done;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  closeAll(conns);
  return {
    messages: total,
    perSecond: total / elapsed,
    p50Ms: null,
    p99Ms: null,
  };
}

/**
 * Downloads `name` once, handing the bytes to `sink` (which drops them
 * unless told), and returns bytes per second from request to the last line.
 */
export async function download(
  port: number,
  name: string,
  tls?: { caCerts: string[] },
  sink: (chunk: Uint8Array) => Promise<void> | void = () => {},
): Promise<number> {
  const { conn, replies } = await openConnection(port, tls);
  try {
    const started = performance.now();
    await writeAll(conn, encoder.encode(formatRequest("get", name) + "\n"));
    const header = await replies.read();
    const size = replies.payload?.size;
    if (header?.code !== Code.FileHeader || size === undefined) {
      throw new Error(`Not a download: ${JSON.stringify(header)}`);
    }
    await replies.readPayload(sink);
    const trailer = await replies.read();
    if (trailer?.code !== Code.FileDone) {
      throw new Error(`Bad trailer: ${JSON.stringify(trailer)}`);
    }
    return size / ((performance.now() - started) / 1000);
  } finally {
    conn.close();
  }
}

/** Opens `count` connections, a hundred at a time, each greeted. */
export async function openAll(
  port: number,
  count: number,
): Promise<Connection[]> {
  const conns: Connection[] = [];
  try {
    while (conns.length < count) {
      const wave = Math.min(100, count - conns.length);
      conns.push(
        ...await Promise.all(
          Array.from({ length: wave }, () => openConnection(port)),
        ),
      );
    }
  } catch (error) {
    closeAll(conns);
    throw error;
  }
  return conns;
}

/** Closes connections, ignoring ones already closed. */
export function closeAll(conns: readonly Connection[]): void {
  for (const { conn } of conns) {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** The median of `values`: the middle one, the upper of two in an even count. */
export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
