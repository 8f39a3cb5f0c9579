import { formatAddress } from "../lib/common/mod.ts";
import { REQUEST_NAMES } from "../lib/wire/commands.ts";
import { serve } from "../server.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
} from "./support/assert.ts";
import { TIMINGS } from "../lib/server/config.ts";
import { ManualClock } from "./support/clock.ts";
import { RawClient } from "./support/raw_client.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";

const encoder = new TextEncoder();

Deno.test("server greets one client as Client01 and logs where it came from", async () => {
  await using t = await startServer();
  const { client, name } = await RawClient.greeted(t.port);
  using _ = client;
  assertEquals(name, "Client01");
  const local = formatAddress(client.conn.localAddr);
  const entry = await t.waitForLog("NEW CONNECTION");
  assertEquals(entry.message, `Client01 connected from ${local}`);
  assertEquals(t.logs[0], {
    kind: "SERVER",
    message: `Listening on 127.0.0.1:${t.port}`,
  });
});

Deno.test("server names clients in order of acceptance", async () => {
  await using t = await startServer();
  const first = await RawClient.greeted(t.port);
  using _a = first.client;
  const second = await RawClient.greeted(t.port);
  using _b = second.client;
  assertEquals([first.name, second.name], ["Client01", "Client02"]);
  // Names are never reused, even after a client leaves.
  first.client.close();
  await t.disconnected(first.name);
  const third = await RawClient.greeted(t.port);
  using _c = third.client;
  assertEquals(third.name, "Client03");
});

Deno.test("server turns away a client past the limit (3 by default), with the limit and no name", async () => {
  const clock = new ManualClock();
  await using t = await startServer({ clock });
  const clients = [];
  for (let i = 0; i < 3; i++) {
    const { client } = await RawClient.greeted(t.port);
    clients.push(client);
    // A client that has made a request keeps its slot.
    assertEquals((await client.request("here")).code, 250);
  }
  try {
    using fourth = await RawClient.connect(t.port);
    // It waits for a slot to free, and none does.
    await clock.waitForTimer(TIMINGS.admissionWaitMs);
    await clock.advance(TIMINGS.admissionWaitMs);
    const reply = await fourth.reply();
    assertEquals(reply, {
      code: 421,
      lines: ["Server is full: 3 of 3 clients connected; try again later"],
    });
    await fourth.closed();
    const rejected = await t.waitForLog("REJECTED");
    assertEquals(
      rejected.message,
      `${formatAddress(fourth.conn.localAddr)}: server full (3 of 3)`,
    );
    assertEquals(t.server.cache.size, 3);
    assertEquals(
      t.server.cache.records().map((record) => record.name),
      ["Client01", "Client02", "Client03"],
    );
  } finally {
    for (const client of clients) client.close();
  }
});

Deno.test("server echoes every other line with ACK, byte for byte", async (t) => {
  await using s = await startServer({ maxLineBytes: 64 * 1024 });
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  const cases: [string, string][] = [
    ["the course's example", "hello world"],
    ["an empty line", ""],
    ["Unicode", "héllo wörld ✓ 日本語 🎉 \u{10FFFF}"],
    ["control characters and NUL", "a\tb\u0000c\u001b[31md\u007f"],
    ["a line that looks like a reply", "250 fakeACK"],
    ["a line that looks like a command with arguments", "status please"],
    ["a line at the length limit", "x".repeat(64 * 1024)],
  ];
  for (const [label, message] of cases) {
    await t.step(label, async () => {
      assertEquals(await client.request(message), {
        code: 250,
        lines: [message + "ACK"],
      });
    });
  }
  await t.step("a CRLF line end", async () => {
    await client.write("crlf\r\n");
    assertEquals(await client.reply(), { code: 250, lines: ["crlfACK"] });
  });
  await t.step("a line split across many writes", async () => {
    for (const part of ["he", "llo ", "wo", "rld\n"]) await client.write(part);
    assertEquals(await client.reply(), {
      code: 250,
      lines: ["hello worldACK"],
    });
  });
  await t.step("a character split across writes", async () => {
    const bytes = encoder.encode("🎉\n");
    await client.write(bytes.subarray(0, 2));
    await client.write(bytes.subarray(2));
    assertEquals(await client.reply(), { code: 250, lines: ["🎉ACK"] });
  });
  await t.step("many lines in one write, answered in order", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    await client.write(lines.join("\n") + "\n");
    for (const line of lines) {
      assertEquals(await client.reply(), { code: 250, lines: [line + "ACK"] });
    }
  });
});

Deno.test("server answers invalid UTF-8 with an error and stays usable", async () => {
  await using t = await startServer();
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  await client.write(new Uint8Array([0x61, 0xff, 0xfe, 0x0a]));
  const reply = await client.reply();
  assertEquals(reply.code, 500);
  assertMatch(reply.lines[0], /not valid UTF-8/);
  assertEquals(await client.request("still here"), {
    code: 250,
    lines: ["still hereACK"],
  });
});

Deno.test("server closes a line longer than the limit with an error", async () => {
  await using t = await startServer({ maxLineBytes: 1024 });
  const { client, name } = await RawClient.greeted(t.port);
  using _ = client;
  await client.write("y".repeat(5000));
  const reply = await client.reply();
  assertEquals(reply, {
    code: 500,
    lines: ["Line is longer than 1024 bytes; closing"],
  });
  await client.closed();
  await t.disconnected(name);
});

Deno.test("exit says goodbye, closes and records the disconnect", async () => {
  const clock = new ManualClock(new Date(2025, 1, 8, 20, 8, 40, 0));
  await using t = await startServer({ clock });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  assertEquals(await client.request("hello world"), {
    code: 250,
    lines: ["hello worldACK"],
  });
  await clock.advance(7_904);
  assertEquals(await client.request("exit"), {
    code: 221,
    lines: ["Goodbye Client01"],
  });
  await client.closed();
  const entry = await t.waitForLog("DISCONNECTED");
  assertEquals(
    entry.message,
    "Client01 at 2025-02-08 20:08:47.904 after 7.9 s (left with exit)",
  );
  assertEquals(
    t.server.cache.records()[0].disconnectedAt,
    new Date(2025, 1, 8, 20, 8, 47, 904),
  );
  assertEquals(t.server.cache.connected, 0);
});

Deno.test("status lists a client that left and one that joined", async () => {
  const clock = new ManualClock(new Date(2025, 1, 8, 20, 8, 40, 0));
  await using t = await startServer({ clock });
  const first = await RawClient.greeted(t.port);
  await clock.advance(7_904);
  first.client.close();
  await t.disconnected(first.name);
  await clock.advance(90_439 - 7_904);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  await clock.advance(95_000 - 90_439);
  const reply = await client.request("status");
  const [one, two] = t.server.cache.records();
  assertEquals(reply.code, 211);
  assertEquals(reply.lines, [
    `Client    Address${
      " ".repeat(one.address.length - 7)
    }  Connected                Disconnected             Duration  Program`,
    `Client01  ${one.address}  2025-02-08 20:08:40.000  2025-02-08 20:08:47.904  7.9 s     -`,
    `Client02  ${two.address}  2025-02-08 20:10:10.439  -                        4.6 s     -`,
    "2 clients since start, 1 connected",
  ]);
});

Deno.test("status lists the latest clients that left, and says how many it leaves out", async () => {
  await using t = await startServer({ history: 2 });
  for (let i = 0; i < 4; i++) {
    const { client, name } = await RawClient.greeted(t.port);
    client.close();
    await t.disconnected(name);
  }
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const reply = await client.request("status");
  assertEquals(reply.code, 211);
  assertEquals(
    reply.lines.slice(1, -1).map((line) => line.split(" ")[0]),
    ["Client03", "Client04", "Client05"],
  );
  assertEquals(
    reply.lines.at(-1),
    "5 clients since start, 1 connected; 2 earlier clients not shown",
  );
  const next = await RawClient.greeted(t.port); // names still never repeat
  using _n = next.client;
  assertEquals(next.name, "Client06");
});

Deno.test("every way a connection ends frees its slot", async (t) => {
  await using s = await startServer({ maxClients: 1 });
  await t.step("exit", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    await client.request("exit");
    client.close();
    assertMatch((await s.disconnected(name)).message, / \(left with exit\)$/);
  });
  await t.step("end of input", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    await client.conn.closeWrite();
    await client.closed();
    client.close();
    assertMatch(
      (await s.disconnected(name)).message,
      / \(closed by the client\)$/,
    );
  });
  await t.step("close with a reply unread (reset)", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    await client.send("status");
    client.close();
    await s.disconnected(name);
  });
  await t.step("line too long", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    await client.write("z".repeat(70_000));
    await client.closed();
    client.close();
    assertMatch((await s.disconnected(name)).message, / \(line too long\)$/);
  });
  await t.step("the slot is there again", async () => {
    const { client, name } = await RawClient.greeted(s.port);
    using _ = client;
    assertEquals(name, "Client05");
    assertEquals(s.server.cache.connected, 1);
  });
});

Deno.test("thousands of connects and disconnects leave every slot free", async () => {
  // Short waits for a slot: the last check is refused soon.
  await using t = await startServer({
    maxClients: 3,
    timings: { admissionWaitMs: 50 },
  });
  const cycles = 2000;
  let next = 0;
  async function worker() {
    while (next < cycles) {
      next++;
      const client = await RawClient.connect(t.port);
      const reply = await client.reply();
      // A slot may not be freed yet when a fast worker comes back.
      if (reply.code === 220) await client.request("exit");
      client.close();
    }
  }
  await Promise.all([worker(), worker(), worker()]);
  // Every client admitted has been recorded as gone.
  const admitted = t.logs.filter((e) => e.kind === "NEW CONNECTION").length;
  await t.waitForLogCount("DISCONNECTED", admitted);
  assertEquals(t.server.cache.connected, 0);
  const clients = [];
  try {
    for (let i = 0; i < 3; i++) {
      clients.push((await RawClient.greeted(t.port)).client);
    }
    using extra = await RawClient.connect(t.port);
    assertEquals((await extra.reply()).code, 421);
    const records = t.server.cache.records();
    assertEquals(records.filter((r) => r.disconnectedAt === null).length, 3);
    assertEquals(new Set(records.map((r) => r.name)).size, records.length);
  } finally {
    for (const client of clients) client.close();
  }
});

Deno.test("a silent or slow client never delays another", async (t) => {
  await using s = await startServer({ maxClients: 3 });
  const silent = await RawClient.greeted(s.port);
  using _a = silent.client;
  const deaf = await RawClient.greeted(s.port);
  using _b = deaf.client;
  const active = await RawClient.greeted(s.port);
  using _c = active.client;
  await t.step("half a line pending on one connection", async () => {
    await silent.client.write("this line never ends");
    assertEquals(await active.client.request("ping"), {
      code: 250,
      lines: ["pingACK"],
    });
  });
  await t.step("another never reads its replies", async () => {
    // Enough replies to fill both socket buffers, so the server is stuck
    // writing to this client.
    const burst = ("w".repeat(1000) + "\n").repeat(8000);
    deaf.client.write(burst).catch(() => {});
    for (let i = 0; i < 20; i++) {
      assertEquals(await active.client.request(`ping ${i}`), {
        code: 250,
        lines: [`ping ${i}ACK`],
      });
    }
    assertEquals((await active.client.request("status")).code, 211);
  });
});

Deno.test("shutdown cuts a download at once, even to a client that reads it all", async () => {
  const size = 256 << 20;
  await using t = await startServer({
    files: { "big.bin": { zeros: size } },
  });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  await client.send("get big.bin");
  assertEquals((await client.reply()).code, 150);
  await client.payload(1024);
  const shutdown = t.server.shutdown();
  // Read on as fast as the bytes come: the transfer stops between two
  // chunks instead of sending the rest first.
  let received = 1024;
  const buffer = new Uint8Array(1 << 20);
  const readToEnd = async () => {
    for (let n; (n = await client.conn.read(buffer)) !== null;) received += n;
  };
  await within(readToEnd(), "the connection to end");
  client.close();
  await within(shutdown, "shutdown");
  assert(received < size / 2, `${received} of ${size} bytes arrived`);
});

Deno.test("shutdown tells every client, records every disconnect, closes", async () => {
  const clock = new ManualClock();
  const t = await startServer({ maxClients: 3, clock });
  try {
    const a = await RawClient.greeted(t.port);
    using _a = a.client;
    const b = await RawClient.greeted(t.port);
    using _b = b.client;
    await b.client.write("partial line");
    const shutdown = t.server.shutdown();
    for (const { client } of [a, b]) {
      assertEquals(await client.reply(), {
        code: 421,
        lines: ["Server is shutting down"],
      });
      await client.closed();
    }
    // Neither closes its side: the server closes them after the grace.
    await clock.advance(TIMINGS.closeGraceMs);
    await within(shutdown, "shutdown");
    assert(t.server.cache.records().every((r) => r.disconnectedAt !== null));
    await assertRejects(
      () => RawClient.connect(t.port),
      Deno.errors.ConnectionRefused,
    );
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

Deno.test("server escapes what clients send before logging it", async () => {
  await using t = await startServer();
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const reply = await client.request("get \u001b]0;owned\u0007\u001b[2J");
  assertEquals(reply.code, 550);
  const entry = await t.waitForLog("DOWNLOAD", "refused");
  assert(
    // deno-lint-ignore no-control-regex -- looking for control characters
    !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(entry.message),
    entry.message,
  );
  assertMatch(entry.message, /\\x1b\]0;owned\\x07\\x1b\[2J/);
});

Deno.test("a port in use is reported as AddrInUse", async () => {
  await using t = await startServer();
  const err = await assertRejects(() =>
    serve({ port: t.port, filesDir: t.filesDir })
  );
  assert(err instanceof Deno.errors.AddrInUse);
});

// Whether this machine has an IPv6 loopback to listen on.
const noIpv6 = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return null;
  } catch (error) {
    return `no IPv6 loopback here: ${(error as Error).message}`;
  }
})();

Deno.test({
  name: `server listens on IPv6 loopback and shows bracketed addresses${
    noIpv6 ? ` (ignored: ${noIpv6})` : ""
  }`,
  ignore: noIpv6 !== null,
}, async () => {
  const server = await serve({ hostname: "::1", port: 0, filesDir: "." });
  try {
    const client = await RawClient.connect(server.addr.port, "::1");
    using _ = client;
    assertEquals((await client.reply()).code, 220);
    const status = await client.request("status");
    assertMatch(status.lines[1], /^Client01 {2}\[::1\]:\d+ /);
  } finally {
    await within(server.shutdown(), "the server to shut down");
  }
  assertNotEquals(server.addr.port, 0);
});

Deno.test("time answers with the server's clock in ISO 8601", async () => {
  const at = new Date(2025, 1, 8, 20, 8, 47, 904);
  await using t = await startServer({ clock: new ManualClock(at) });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const reply = await client.request("time");
  assertEquals(reply.code, 213);
  assertMatch(reply.lines[0], /^2025-02-08T20:08:47\.904[+-]\d\d:\d\d$/);
  assertEquals(reply.lines.length, 1);
  assertEquals(new Date(reply.lines[0]).getTime(), at.getTime());
  assertEquals(await client.request("time now"), {
    code: 250,
    lines: ["time nowACK"],
  });
});

Deno.test("whoami answers the name the greeting gave", async () => {
  await using t = await startServer();
  const first = await RawClient.greeted(t.port);
  using _ = first.client;
  const second = await RawClient.greeted(t.port);
  using _s = second.client;
  assertEquals(await second.client.request("whoami"), {
    code: 215,
    lines: ["Client02"],
  });
  assertEquals(await first.client.request("whoami"), {
    code: 215,
    lines: ["Client01"],
  });
  assertEquals(await first.client.request("whoami now"), {
    code: 250,
    lines: ["whoami nowACK"],
  });
});

Deno.test("every request word gets its own reply, none is echoed", async () => {
  await using t = await startServer();
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  // exit last: it ends the connection.
  const words = REQUEST_NAMES.toSorted((a, b) =>
    Number(a === "exit") - Number(b === "exit")
  );
  for (const word of words) {
    const line = word === "hello" ? `hello Client01 test/1` : word;
    const reply = await client.request(line);
    assertNotEquals(reply.code, 250, line);
  }
  await client.closed();
});
