/**
 * `hello`: a client introduces itself, and gives its token where the
 * server wants one.
 */

import { AGENT, connect, TokenRefusedError } from "../client.ts";
import { assert, assertEquals, assertRejects } from "./support/assert.ts";
import { TIMINGS } from "../lib/server/config.ts";
import { ManualClock } from "./support/clock.ts";
import { within } from "../tools/wait.ts";
import { sendReplies } from "./support/fake_server.ts";
import { RawClient } from "./support/raw_client.ts";
import { closeSession, openSession } from "./support/sessions.ts";
import { startServer } from "./support/test_server.ts";

const TOKEN = "s3cret-t0ken-0123456789ab";

Deno.test("hello introduces a client: the server records its program and answers 230", async () => {
  await using t = await startServer();
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  // Without a token on the server, nothing needs it first.
  assertEquals((await client.request("status")).code, 211);
  assertEquals(await client.request("hello Client02 x/1"), {
    code: 501,
    lines: ["Usage: hello Client01 <program>/<version> [<token>]"],
  });
  assertEquals(await client.request("hello Client01 tester/2.0"), {
    code: 230,
    lines: ["Hello Client01"],
  });
  assertEquals(t.server.cache.records()[0].agent, "tester/2.0");
  const entry = await t.waitForLog("HELLO");
  assertEquals(entry.message, "Client01 is tester/2.0");
  // The course's first message is still a message.
  assertEquals(await client.request("hello world"), {
    code: 250,
    lines: ["hello worldACK"],
  });
});

Deno.test("with a token, only hello, noop and exit are answered before it; the right one opens the rest", async () => {
  await using t = await startServer({ token: TOKEN });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  for (const line of ["status", "list", "get a.txt", "time", "hello world"]) {
    assertEquals(await client.request(line), {
      code: 530,
      lines: [
        "This server wants a token first: hello Client01 <program>/<version> <token>",
      ],
    }, line);
  }
  assertEquals((await client.request("noop")).code, 200);
  // A hello without a token is told what is missing, and costs no try.
  assertEquals((await client.request("hello Client01 tester/1")).code, 530);
  assertEquals(await client.request(`hello Client01 tester/1 ${TOKEN}`), {
    code: 230,
    lines: ["Hello Client01"],
  });
  assertEquals((await client.request("status")).code, 211);
  assertEquals(
    (await t.waitForLog("HELLO")).message,
    "Client01 is tester/1, with the right token",
  );
  // Once given, the token is not checked again: a later hello only says
  // who the client is, and the log claims no token for it.
  assertEquals(
    (await client.request("hello Client01 other/2 wrong-token-0123456")).code,
    230,
  );
  await t.waitForLogCount("HELLO", 2);
  assertEquals(
    t.logs.filter((e) => e.kind === "HELLO")[1].message,
    "Client01 is other/2",
  );
});

Deno.test("each wrong token makes its address wait longer for the next, and the third closes the connection", async () => {
  const clock = new ManualClock();
  const { tokenPenaltyMs } = TIMINGS;
  await using t = await startServer({ token: TOKEN, clock });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const wrong = "hello Client01 tester/1 wrong-token-0123456";
  assertEquals(await client.request(wrong), {
    code: 535,
    lines: ["Wrong token; 2 more tries"],
  });
  await t.waitForLog(
    "WARNING",
    "Client01 sent a wrong token (1 of 3); 127.0.0.1 may give the next in 1 s",
  );
  // Too soon: not judged, and no try spent.
  assertEquals(await client.request(wrong), {
    code: 535,
    lines: ["Too many wrong tokens from 127.0.0.1; the next is judged in 1 s"],
  });
  await clock.advance(tokenPenaltyMs);
  assertEquals(await client.request(wrong), {
    code: 535,
    lines: ["Wrong token; 1 more try"],
  });
  await clock.advance(2 * tokenPenaltyMs);
  assertEquals(await client.request(wrong), {
    code: 421,
    lines: ["Wrong token 3 times; closing"],
  });
  await client.closed();
  client.close();
  const gone = await t.disconnected("Client01");
  assert(gone.message.endsWith("(wrong token 3 times)"), gone.message);
  // A new connection from the same address is held to the penalty too,
  // even with the right token: guessing from many connections stays slow.
  const { client: again } = await RawClient.greeted(t.port);
  using _again = again;
  const right = `hello Client02 tester/1 ${TOKEN}`;
  assertEquals((await again.request(right)).code, 535);
  await clock.advance(4 * tokenPenaltyMs);
  assertEquals((await again.request(right)).code, 230);
});

Deno.test("the token never reaches the log, a reply or the status, even with every request logged", async () => {
  await using t = await startServer({
    token: TOKEN,
    logRequests: true,
    timings: { tokenPenaltyMs: 0 },
  });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const replies = [
    await client.request(`hello Client01 tester/1 ${TOKEN}x`),
    await client.request(`hello Client01 tester/1 ${TOKEN}`),
    await client.request("status"),
  ];
  await client.request("exit");
  await t.disconnected("Client01");
  const text = JSON.stringify([t.logs, replies]);
  assert(!text.includes(TOKEN), text);
  assert(
    t.logs.some((e) =>
      e.kind === "REQUEST" && e.message === "Client01 hello Client01 tester/1"
    ),
  );
});

Deno.test("the client introduces itself, with its token, or says the server wants one", async () => {
  await using t = await startServer({
    token: TOKEN,
    timings: { tokenPenaltyMs: 0 },
  });
  const session = await openSession(t.port, { token: TOKEN });
  assertEquals((await session.request("status")).code, 211);
  assertEquals(t.server.cache.records()[0].agent, AGENT);
  await closeSession(session);
  await assertRejects(
    () => connect({ port: t.port }),
    TokenRefusedError,
    "Client02: the server wants a token; set ACKLINE_TOKEN or use --token-file",
  );
  await assertRejects(
    () => connect({ port: t.port, token: "not-the-token-012345" }),
    TokenRefusedError,
    "The server did not take the token",
  );
});

Deno.test("the client gives its token only to a server that asks for it", async () => {
  // A server that never asks (from before hello: it echoes it), and
  // keeps every line it hears.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heard: string[] = [];
  const serving = (async () => {
    using conn = await listener.accept();
    await sendReplies(conn, (out) => out.greeting("Client01"));
    const buf = new Uint8Array(4096);
    let pending = "";
    for (let n; (n = await conn.read(buf)) !== null;) {
      pending += new TextDecoder().decode(buf.subarray(0, n));
      for (let end; (end = pending.indexOf("\n")) >= 0;) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        heard.push(line);
        await sendReplies(
          conn,
          (out) =>
            line === "noop" ? out.line(200, "OK") : out.line(250, `${line}ACK`),
        );
      }
    }
  })();
  try {
    let warned = false;
    const session = await openSession(listener.addr.port, {
      token: TOKEN,
      onTokenInClear: () => warned = true,
    });
    await closeSession(session);
    await within(serving, "the server to see the client go");
    assertEquals(heard, ["noop", `hello Client01 ${AGENT}`]);
    assertEquals(warned, false);
  } finally {
    listener.close();
  }
  // A server that asks gets it, after its 530, and the client is in.
  await using t = await startServer({ token: TOKEN, logRequests: true });
  let warned = false;
  const session = await openSession(t.port, {
    token: TOKEN,
    onTokenInClear: () => warned = true,
  });
  assertEquals((await session.request("status")).code, 211);
  await closeSession(session);
  assertEquals(
    t.logs.filter((e) => e.kind === "REQUEST").map((e) => e.message).slice(
      0,
      3,
    ),
    [
      "Client01 noop",
      `Client01 hello Client01 ${AGENT}`,
      `Client01 hello Client01 ${AGENT}`,
    ],
  );
  assertEquals(warned, false, "loopback is no network");
});
