/**
 * Scripted servers for client tests: they say exactly what a test tells
 * them to, including what no ackline server would.
 *
 * @module
 */

import { writeAll } from "../../lib/common/mod.ts";
import { COMMANDS, ReplyWriter } from "../../lib/wire/mod.ts";
import { within } from "../../tools/wait.ts";

const encoder = new TextEncoder();

/** Writes raw text or bytes to a connection. */
export async function send(
  conn: Deno.Conn,
  data: string | Uint8Array,
): Promise<void> {
  await writeAll(conn, typeof data === "string" ? encoder.encode(data) : data);
}

/** Writes the replies a builder collects (the real server's words). */
export async function sendReplies(
  conn: Deno.Conn,
  build: (out: ReplyWriter) => void,
): Promise<void> {
  const out = new ReplyWriter();
  build(out);
  await send(conn, out.bytes());
}

/**
 * Reads from `conn` until `count` line ends have come, dropping the bytes.
 *
 * @returns `false` if the connection ended first.
 */
export async function readLines(conn: Deno.Conn, count = 1): Promise<boolean> {
  const buf = new Uint8Array(4096);
  while (count > 0) {
    const n = await conn.read(buf);
    if (n === null) return false;
    for (let i = 0; i < n; i++) if (buf[i] === 0x0a) count--;
  }
  return true;
}

/**
 * Serves one connection on `listener` as a real server would start it
 * (greeting, the answers to the client's opening `noop` and `hello`), takes one request
 * line, then lets `script` write whatever it likes, and closes. Resolves
 * when done, also when no client came before the listener closed.
 */
export async function serveOnce(
  listener: Deno.TcpListener,
  script: (conn: Deno.TcpConn) => Promise<void>,
): Promise<void> {
  let conn: Deno.TcpConn;
  try {
    conn = await listener.accept();
  } catch {
    return; // the test ended without connecting
  }
  try {
    await sendReplies(conn, (out) => out.greeting("Client01"));
    await readLines(conn); // the client's noop
    await sendReplies(conn, (out) => out.line(COMMANDS.noop.code, "OK"));
    await readLines(conn); // the client's hello
    await sendReplies(
      conn,
      (out) => out.line(COMMANDS.hello.code, "Hello Client01"),
    );
    await readLines(conn); // the request
    await script(conn);
  } catch {
    // The client may close first; that is part of some tests.
  } finally {
    conn.close();
  }
}

/**
 * A one-connection server (see {@linkcode serveOnce}) for the length of
 * `test`, which gets its port.
 */
export async function withFakeServer(
  script: (conn: Deno.TcpConn) => Promise<void>,
  test: (port: number) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveOnce(listener, script);
  try {
    await test(listener.addr.port);
  } finally {
    listener.close();
    await within(serving, "the fake server to finish");
  }
}
