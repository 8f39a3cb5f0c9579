/**
 * The runtime's floor: the least a Deno server can do that the benchmark's
 * loads accept. It greets each connection (`220 Connected as ClientNN`),
 * holds one 512-byte read per connection, and answers each line with
 * `250 <line>ACK`; no names kept, no limits, no timers, no files. What
 * ackline spends beyond it is ackline's own.
 *
 * Usage: `reference_deno_bare.ts`; it prints the port it listens on.
 *
 * @module
 */

const encoder = new TextEncoder();
const ECHO = encoder.encode("250 ");
const ACK = encoder.encode("ACK\n");

async function serve(conn: Deno.Conn, n: number): Promise<void> {
  const buf = new Uint8Array(512);
  let pending = new Uint8Array(0);
  try {
    await conn.write(encoder.encode(`220 Connected as Client${n}\n`));
    for (;;) {
      const got = await conn.read(buf);
      if (got === null) return;
      const bytes = new Uint8Array(pending.length + got);
      bytes.set(pending);
      bytes.set(buf.subarray(0, got), pending.length);
      const replies: Uint8Array[] = [];
      let start = 0;
      for (
        let end = bytes.indexOf(10);
        end >= 0;
        end = bytes.indexOf(10, start)
      ) {
        replies.push(ECHO, bytes.subarray(start, end), ACK);
        start = end + 1;
      }
      pending = bytes.slice(start);
      if (replies.length === 0) continue;
      const size = replies.reduce((sum, part) => sum + part.length, 0);
      const out = new Uint8Array(size);
      let at = 0;
      for (const part of replies) {
        out.set(part, at);
        at += part.length;
      }
      for (let sent = 0; sent < out.length;) {
        sent += await conn.write(out.subarray(sent));
      }
    }
  } catch {
    // A reset or a closed socket ends the connection.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`Listening on port ${listener.addr.port}`);
let accepted = 0;
for await (const conn of listener) serve(conn, ++accepted);
