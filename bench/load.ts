/**
 * The load generator: opens connections to a server that speaks ackline's
 * lines and measures echo rate and latency, download rate, and the memory
 * a server spends on idle connections. Works against any such server.
 *
 * @module
 */

import { writeAll } from "../lib/io.ts";

const LF = 10;
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

function countLines(bytes: Uint8Array): number {
  let count = 0;
  let at = bytes.indexOf(LF);
  while (at >= 0) {
    count++;
    at = bytes.indexOf(LF, at + 1);
  }
  return count;
}

/** Opens a connection and reads up to the greeting's line end. */
export async function openConnection(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const buf = new Uint8Array(256);
  let seen = 0;
  while (true) {
    const n = await conn.read(buf.subarray(seen));
    if (n === null) throw new Error("Server closed the connection at greeting");
    seen += n;
    const text = new TextDecoder().decode(buf.subarray(0, seen));
    if (text.includes("\n")) {
      if (!text.startsWith("220")) {
        throw new Error(`Turned away: ${text.trim()}`);
      }
      return conn;
    }
  }
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
  await Promise.all(conns.map(async (conn) => {
    const buf = new Uint8Array(4096);
    while (performance.now() < deadline) {
      const sent = performance.now();
      await writeAll(conn, MESSAGE);
      let lines = 0;
      while (lines === 0) {
        const n = await conn.read(buf);
        if (n === null) throw new Error("Server closed the connection");
        lines += countLines(buf.subarray(0, n));
      }
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
  await Promise.all(conns.map(async (conn) => {
    const buf = new Uint8Array(256 * 1024);
    await writeAll(conn, batch);
    let inFlight = depth;
    while (inFlight > 0) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("Server closed the connection");
      const done = countLines(buf.subarray(0, n));
      inFlight -= done;
      if (performance.now() < deadline) {
        total += done;
        if (done > 0) {
          await writeAll(conn, batch.subarray(0, done * MESSAGE.length));
          inFlight += done;
        }
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
 * Downloads `name` once, discarding the bytes, and returns bytes per
 * second from request to the last line.
 */
export async function download(port: number, name: string): Promise<number> {
  const conn = await openConnection(port);
  try {
    const buf = new Uint8Array(1 << 20);
    const started = performance.now();
    await writeAll(conn, encoder.encode(`get ${name}\n`));
    // Header line, then `size` raw bytes, then the trailer line.
    let header = "";
    let after = new Uint8Array();
    while (!header.endsWith("\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("Closed before the header");
      const lf = buf.subarray(0, n).indexOf(LF);
      const end = lf < 0 ? n : lf + 1;
      header += new TextDecoder().decode(buf.subarray(0, end));
      after = buf.subarray(end, n);
    }
    const size = Number(/^150 (\d+) /.exec(header)?.[1]);
    if (!Number.isFinite(size)) throw new Error(`Bad header: ${header}`);
    let payloadLeft = size;
    // Consumes a chunk; true once the trailer's line end has arrived.
    const consume = (chunk: Uint8Array): boolean => {
      const payload = Math.min(payloadLeft, chunk.length);
      payloadLeft -= payload;
      return payloadLeft === 0 && chunk.subarray(payload).indexOf(LF) >= 0;
    };
    let done = consume(after);
    while (!done) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("Closed mid-transfer");
      done = consume(buf.subarray(0, n));
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
): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
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
export function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}
