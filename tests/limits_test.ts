/**
 * Limits and faults: what the server does with clients that misbehave.
 */

import { connect, ConnectionClosedError } from "../client.ts";
import { TIMINGS } from "../lib/server/config.ts";
import { MAX_REQUEST_LINE_BYTES } from "../lib/wire/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
} from "./support/assert.ts";
import { ManualClock } from "./support/clock.ts";
import { RawClient } from "./support/raw_client.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";

const IDLE_MS = 300;
const RESET_STORM = new URL("./fixtures/reset_storm.py", import.meta.url)
  .pathname;

// The reset storm needs a peer that can reset its connections at once.
const noPython = await new Deno.Command("python3", { args: ["--version"] })
  .output().then(
    ({ success }) => success ? null : "python3 does not run here",
    () => "python3 is not installed here",
  );

Deno.test("an idle client is told why and closed", async () => {
  const clock = new ManualClock();
  await using t = await startServer({ timings: { idleMs: IDLE_MS }, clock });
  const { client, name } = await RawClient.greeted(t.port);
  using _ = client;
  await clock.advance(IDLE_MS - 1);
  assertEquals(await client.request("still active"), {
    code: 250,
    lines: ["still activeACK"],
  });
  await clock.advance(IDLE_MS - 1);
  assertEquals(await client.request("and still here"), {
    code: 250,
    lines: ["and still hereACK"],
  });
  await clock.advance(IDLE_MS);
  assertEquals(await client.reply(), {
    code: 421,
    lines: ["Idle timeout: no request for 0.3 s; closing"],
  });
  await client.closed();
  client.close();
  assertMatch((await t.disconnected(name)).message, / \(idle for 0\.3 s\)$/);
});

Deno.test("requests keep a client from being idle; 0 turns the watch off", async (t) => {
  await t.step("a request every quarter of the timeout", async () => {
    const clock = new ManualClock();
    await using s = await startServer({ timings: { idleMs: 1000 }, clock });
    const { client } = await RawClient.greeted(s.port);
    using _ = client;
    for (let i = 0; i < 6; i++) {
      await clock.advance(250);
      assertEquals(await client.request(`still here ${i}`), {
        code: 250,
        lines: [`still here ${i}ACK`],
      });
    }
    await clock.advance(1000);
    assertEquals((await client.reply()).code, 421); // then silence
  });
  await t.step("lines without the token a server wants do not", async () => {
    const clock = new ManualClock();
    await using s = await startServer({
      timings: { idleMs: 1000 },
      token: "0123456789abcdef-limits-test",
      clock,
    });
    const { client } = await RawClient.greeted(s.port);
    using _ = client;
    // Answered 530 every quarter of the timeout, until the idle watch
    // closes the connection all the same.
    for (let i = 0; i < 3; i++) {
      assertEquals((await client.request("status")).code, 530);
      await clock.advance(250);
    }
    assertEquals((await client.request("status")).code, 530);
    await clock.advance(250);
    assertEquals(await client.reply(), {
      code: 421,
      lines: ["Idle timeout: no request for 1 s; closing"],
    });
  });
  await t.step("--idle-timeout 0", async () => {
    const clock = new ManualClock();
    await using s = await startServer({ timings: { idleMs: 0 }, clock });
    const { client } = await RawClient.greeted(s.port);
    using _ = client;
    await clock.advance(24 * 3600 * 1000);
    assertEquals(await client.request("hello"), {
      code: 250,
      lines: ["helloACK"],
    });
  });
});

Deno.test("a client reading a download slowly is held to the stall limit, not the idle timeout", async (t) => {
  const size = 32 * 1024 * 1024; // more than the socket buffers hold
  await t.step("a pause longer than the idle timeout", async () => {
    const clock = new ManualClock();
    await using s = await startServer({
      timings: { idleMs: IDLE_MS, stallMs: 10_000 },
      files: { "big.bin": { zeros: size } },
      clock,
    });
    const { client, name } = await RawClient.greeted(s.port);
    using _ = client;
    await client.send("get big.bin");
    assertEquals((await client.reply()).code, 150);
    await client.payload(1024 * 1024);
    await clock.advance(3 * IDLE_MS);
    await client.payload(size - 1024 * 1024);
    assertEquals((await client.reply()).code, 226);
    assertEquals((await client.request("still here")).code, 250);
    assert(!s.logs.some((entry) => entry.message.startsWith(`${name} at`)));
  });
  await t.step("no bytes taken for the stall limit", async () => {
    const clock = new ManualClock();
    await using s = await startServer({
      timings: { idleMs: IDLE_MS, stallMs: 2 * IDLE_MS },
      files: { "big.bin": { zeros: size } },
      clock,
    });
    const { client, name } = await RawClient.greeted(s.port);
    using _ = client;
    await client.send("get big.bin");
    assertEquals((await client.reply()).code, 150);
    await clock.advance(2 * IDLE_MS - 1);
    assert(!s.logs.some((entry) => entry.kind === "DISCONNECTED"));
    await clock.advance(1);
    // Read nothing more: the transfer is cut, nothing can be said mid-payload.
    assertMatch(
      (await s.disconnected(name)).message,
      / \(took no reply bytes for 0\.6 s\)$/,
    );
  });
});

Deno.test("a client trickling one line a byte at a time cannot hold its slot", async () => {
  const clock = new ManualClock();
  await using t = await startServer({
    timings: { idleMs: IDLE_MS },
    maxClients: 1,
    maxLineBytes: MAX_REQUEST_LINE_BYTES,
    clock,
  });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  // Each byte goes out only after the previous one, with no line end ever:
  // steady traffic that is never a request.
  const trickle = (async () => {
    try {
      for (let i = 0; i < 10_000_000; i++) await client.write("a");
    } catch {
      // The server closed the connection: the point of the test.
    }
  })();
  await clock.advance(IDLE_MS);
  const closing = await client.reply();
  assertEquals(closing.code, 421);
  assertMatch(closing.lines[0], /^Idle timeout/);
  // It trickles on: the server closes it after the grace.
  await clock.advance(TIMINGS.closeGraceMs);
  await within(trickle, "the trickling writer to stop");
  const next = await RawClient.greeted(t.port);
  using _n = next.client;
  assertEquals(next.name, "Client02");
});

Deno.test("a client that never reads its replies is closed, not buffered for", async () => {
  // 32 MiB of requests, far more than socket buffers hold. A server that
  // read them all and queued the replies would let this write finish.
  const requests = new Uint8Array(32 << 20).fill(0x78);
  for (let i = 63; i < requests.length; i += 64) requests[i] = 0x0a;
  await using t = await startServer({
    timings: { idleMs: IDLE_MS, stallMs: IDLE_MS, closeGraceMs: 100 },
    maxClients: 2,
  });
  const { client: deaf, name } = await RawClient.greeted(t.port);
  using _d = deaf;
  const { client: other } = await RawClient.greeted(t.port);
  using _o = other;
  const writing = deaf.write(requests).then(() => "finished", () => "cut");
  for (let i = 0; i < 20; i++) {
    assertEquals(await other.request(`ping ${i}`), {
      code: 250,
      lines: [`ping ${i}ACK`],
    });
  }
  assertMatch(
    (await t.disconnected(name)).message,
    / \(took no reply bytes for 0\.3 s\)$/,
  );
  assertEquals(await within(writing, "the deaf client's write to end"), "cut");
});

Deno.test("a half-closed client gets every reply before the server closes", async () => {
  await using t = await startServer();
  const { client, name } = await RawClient.greeted(t.port);
  using _ = client;
  await client.write("one\ntwo\nstatus\n");
  await client.conn.closeWrite();
  assertEquals(await client.reply(), { code: 250, lines: ["oneACK"] });
  assertEquals(await client.reply(), { code: 250, lines: ["twoACK"] });
  assertEquals((await client.reply()).code, 211);
  await client.closed();
  await t.disconnected(name);
});

Deno.test("a client that sends megabytes after exit still gets its goodbye", async (t) => {
  // Also one that never gave the token a server wants: it made no request
  // that counts, yet what it sent is drained all the same.
  for (const token of [null, "limits-test-token-0123456789abcdef"]) {
    await t.step(token === null ? "no token" : "before the token", async () => {
      await using s = await startServer({ token });
      const { client, name } = await RawClient.greeted(s.port);
      using _ = client;
      // exit, then 4 MiB more in the same write, all sent before reading.
      const bytes = new Uint8Array(4 + 1 + (4 << 20)).fill(0x78);
      bytes.set(new TextEncoder().encode("exit\n"));
      const written = await within(
        client.write(bytes).then(() => "all", () => "cut"),
        "the write",
      );
      assertEquals(written, "all");
      assertEquals(await client.reply(), {
        code: 221,
        lines: [`Goodbye ${name}`],
      });
      await client.closed();
    });
  }
});

Deno.test("resets mid-line and mid-reply leave the server healthy", async (t) => {
  await using s = await startServer({ maxClients: 1 });
  await t.step("mid-line", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    await client.write("half a li");
    client.close();
    await s.disconnected(name);
  });
  await t.step("mid-reply", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    // A large reply is still being written when the client goes away.
    await client.write(("y".repeat(60_000) + "\n").repeat(100));
    await client.reply();
    client.close();
    await s.disconnected(name);
  });
  await t.step("the slot is free and the server answers", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    using _ = client;
    assertEquals(name, "Client03");
    assertEquals(await client.request("ok?"), { code: 250, lines: ["ok?ACK"] });
  });
  assert(
    !s.logs.some((entry) => entry.kind === "ERROR"),
    JSON.stringify(s.logs),
  );
});

Deno.test("a client facing garbage instead of a greeting gives up clearly", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"),
    );
    conn.close();
  })();
  let error: unknown;
  try {
    await connect({ port: listener.addr.port });
  } catch (e) {
    error = e;
  }
  await serving;
  assertInstanceOf(error, ConnectionClosedError);
  assertMatch(
    error.message,
    /Unexpected line from the server: HTTP\/1\.1 400/,
  );
});

Deno.test({
  name: `a storm of connections reset before they are accepted delays no one${
    noPython ? ` (ignored: ${noPython})` : ""
  }`,
  ignore: noPython !== null,
}, async () => {
  await using t = await startServer();
  // Each used to cost a 100 ms pause and a log line: 300 would keep the
  // next client waiting 30 s, past the bound of every wait here.
  const storm = await new Deno.Command("python3", {
    args: [RESET_STORM, String(t.port), "300"],
  }).output();
  assertEquals(storm.success, true, new TextDecoder().decode(storm.stderr));
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  assertEquals(await client.request("hello"), {
    code: 250,
    lines: ["helloACK"],
  });
  assertEquals(t.logs.filter((entry) => entry.kind === "ERROR"), []);
});
