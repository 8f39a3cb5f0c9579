import { connect } from "../../client.ts";
import { MAX_WAITING, TIMINGS } from "../../lib/server/config.ts";
import { closingText } from "../../lib/wire/mod.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { RawClient } from "../support/raw_client.ts";
import { ManualClock } from "../support/clock.ts";
import { closeSession } from "../support/sessions.ts";
import { startServer } from "../support/test_server.ts";

const EVICTED = closingText({ kind: "evicted" });
const YIELDED = closingText({
  kind: "yielded",
  idleMs: TIMINGS.yieldIdleMs,
});
const full = (maxClients: number) => closingText({ kind: "full", maxClients });

Deno.test("a newcomer that speaks takes the slot of a client that never made a request", async (t) => {
  // A silent hog sends nothing; a trickling one sends bytes but never a line.
  for (const [kind, opening] of [["silent", ""], ["trickling", "abc"]]) {
    await t.step(`${kind} hogs`, async () => {
      await using s = await startServer({
        maxClients: 3,
        timings: { silentGraceMs: 0 },
      });
      const hogs: RawClient[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const { client } = await RawClient.greeted(s.port);
          hogs.push(client);
          if (opening) await client.write(opening);
        }
        using newcomer = await RawClient.connect(s.port);
        await newcomer.send("hello");
        assertEquals((await newcomer.reply()).lines, ["Connected as Client04"]);
        assertEquals((await newcomer.reply()).lines, ["helloACK"]);
        // The hog that has held its slot longest was told why and closed.
        assertEquals(await hogs[0].reply(), { code: 421, lines: [EVICTED] });
        await hogs[0].closed();
        hogs[0].close();
        await s.waitForLog(
          "DISCONNECTED",
          /^Client01 at .* \(made room: no request while the server was full\)$/,
        );
        // The other two keep their slots.
        assertEquals((await hogs[1].request("still here")).code, 250);
      } finally {
        for (const hog of hogs) hog.close();
      }
    });
  }
});

Deno.test("a client that has made a request is not pushed out before it idles for the yield limit", async () => {
  const clock = new ManualClock();
  const { admissionWaitMs } = TIMINGS;
  await using s = await startServer({
    maxClients: 2,
    clock,
    timings: { silentGraceMs: 0 },
  });
  // The older client has spoken; the younger one has not.
  const { client: spoken } = await RawClient.greeted(s.port);
  using _spoken = spoken;
  await spoken.request("hi");
  const { client: silent } = await RawClient.greeted(s.port);
  using _silent = silent;
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("hello");
  assertEquals((await newcomer.reply()).code, 220);
  assertEquals(await silent.reply(), { code: 421, lines: [EVICTED] });
  assertEquals((await spoken.request("still here")).lines, ["still hereACK"]);
  // Now every slot is held by a client that has spoken: the next, though
  // it speaks, waits for a slot to free and is refused when none does.
  using late = await RawClient.connect(s.port);
  await late.send("hello");
  await clock.waitForCleared(admissionWaitMs, 2);
  await clock.advance(admissionWaitMs);
  assertEquals(await late.reply(), { code: 421, lines: [full(2)] });
  await late.closed();
  const local = late.conn.localAddr.port;
  await s.waitForLog(
    "REJECTED",
    `127.0.0.1:${local}: server full (2 of 2)`,
  );
});

Deno.test("a client whose first line is on its way is not pushed out", async () => {
  const clock = new ManualClock();
  const { silentGraceMs } = TIMINGS;
  await using s = await startServer({ maxClients: 1, clock });
  const { client: first } = await RawClient.greeted(s.port);
  using _ = first;
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("hello");
  // The newcomer waits for the first client's grace to end; the first
  // speaks late, but within it, and so keeps its slot.
  await clock.waitForTimer(silentGraceMs);
  await clock.advance(silentGraceMs - 1);
  assertEquals((await first.request("here")).lines, ["hereACK"]);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await newcomer.reply(), { code: 421, lines: [full(1)] });
});

Deno.test("a newcomer that does not speak pushes no one out and is refused", async () => {
  const clock = new ManualClock();
  const { admissionWaitMs } = TIMINGS;
  await using s = await startServer({ maxClients: 1, clock });
  const { client: hog } = await RawClient.greeted(s.port);
  using _ = hog;
  using newcomer = await RawClient.connect(s.port);
  await newcomer.write("no line end");
  await clock.waitForTimer(admissionWaitMs);
  await clock.advance(admissionWaitMs);
  assertEquals(await newcomer.reply(), { code: 421, lines: [full(1)] });
  await newcomer.closed();
  await s.waitForLog("REJECTED", "server full (1 of 1)");
  assertEquals((await hog.request("still here")).code, 250);
});

Deno.test("a waiting newcomer gets a slot that frees, and keeps what it sent", async () => {
  const clock = new ManualClock();
  const { admissionWaitMs } = TIMINGS;
  await using s = await startServer({ maxClients: 1, clock });
  const { client: hog } = await RawClient.greeted(s.port);
  using newcomer = await RawClient.connect(s.port);
  // Half a line while it waits, the rest once admitted.
  await newcomer.write("hel");
  await clock.waitForTimer(admissionWaitMs);
  hog.close();
  await s.disconnected("Client01");
  await clock.advance(admissionWaitMs);
  assertEquals((await newcomer.reply()).lines, ["Connected as Client02"]);
  assertEquals((await newcomer.request("lo")).lines, ["helloACK"]);
});

Deno.test("the waiting room is bounded: one too many pushes out the longest waiting", async () => {
  // The clock stands still: those pushed out leave at once, not when
  // their wait for a slot would end. With no grace, the longest waiting
  // goes first.
  await using s = await startServer({
    maxClients: 1,
    clock: new ManualClock(),
    timings: { silentGraceMs: 0 },
  });
  const { client: hog } = await RawClient.greeted(s.port);
  using _ = hog;
  const waiting: RawClient[] = [];
  try {
    // Three too many: each pushes out the one that has waited longest.
    const over = 3;
    for (let i = 0; i < MAX_WAITING + over; i++) {
      waiting.push(await RawClient.connect(s.port));
    }
    for (const client of waiting.slice(0, over)) {
      assertEquals(await client.reply(), { code: 421, lines: [full(1)] });
      await client.closed();
    }
    // Turned away by the server, before they close their side.
    await s.waitForLogCount("REJECTED", over);
    for (const client of waiting.slice(0, over)) client.close();
    // The rest still wait; shutting down tells them why.
    const shutdown = s.server.shutdown();
    for (const client of waiting.slice(over)) {
      assertEquals(await client.reply(), {
        code: 421,
        lines: ["Server is shutting down"],
      });
      client.close();
    }
    assertEquals((await hog.reply()).code, 421);
    hog.close();
    await shutdown;
    // Those told of the shutdown were not turned away for a full server.
    assertEquals(
      s.logs.filter((entry) => entry.kind === "REJECTED").length,
      over,
    );
  } finally {
    for (const client of waiting) client.close();
  }
});

Deno.test("hogs that reconnect at once cannot starve a real client", async () => {
  await using s = await startServer({
    maxClients: 3,
    timings: { admissionWaitMs: 50, silentGraceMs: 0 },
  });
  const stop = new AbortController();
  // Each hog reconnects as soon as it is dropped and never sends a byte.
  const hog = async () => {
    while (!stop.signal.aborted) {
      try {
        using client = await RawClient.connect(s.port);
        await client.closed();
      } catch {
        return; // the server has shut down
      }
    }
  };
  const hogs = [hog(), hog(), hog()];
  try {
    for (let round = 0; round < 5; round++) {
      // Every slot held by a hog: the three first, then the one evicted
      // last round, back in the slot the real client left.
      await s.waitForLogCount("NEW CONNECTION", 3 + 2 * round);
      // The real client speaks at once, so it gets in every time.
      const session = await connect({ port: s.port });
      assertEquals((await session.request("hello")).lines, ["helloACK"]);
      await closeSession(session);
    }
  } finally {
    stop.abort();
    await s.server.shutdown();
    await Promise.all(hogs);
  }
  const evictions = s.logs.filter((entry) =>
    entry.message.endsWith("(made room: no request while the server was full)")
  );
  assertEquals(evictions.length, 5);
});

Deno.test("shutdown waits until the last client's disconnect is recorded", async () => {
  const s = await startServer();
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  // The client leaves once told; the server then finishes at once.
  const leaving = client.closed().then(() => client.close());
  await s.server.shutdown();
  await leaving;
  const [record] = s.server.cache.records();
  assert(record.disconnectedAt !== null, "the disconnect was not recorded");
  await s[Symbol.asyncDispose]();
});

Deno.test("on a token server, lines without the token do not hold a slot", async () => {
  const clock = new ManualClock();
  const token = "clients-test-token-012345";
  await using s = await startServer({
    maxClients: 1,
    clock,
    timings: { silentGraceMs: 0 },
    token,
  });
  // A peer without the token keeps talking: every line gets 530.
  const { client: hog } = await RawClient.greeted(s.port);
  using _ = hog;
  assertEquals((await hog.request("status")).code, 530);
  assertEquals((await hog.request("noop")).code, 200);
  // A newcomer that speaks still takes its slot, and gives the token.
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("noop");
  assertEquals((await newcomer.reply()).lines, ["Connected as Client02"]);
  assertEquals((await newcomer.reply()).code, 200);
  assertEquals(await hog.reply(), { code: 421, lines: [EVICTED] });
  assertEquals(
    (await newcomer.request(`hello Client02 tester/1 ${token}`)).code,
    230,
  );
  // Once it has given the token, it keeps its slot like any client that
  // has made a request.
  using late = await RawClient.connect(s.port);
  await late.send("noop");
  await clock.waitForCleared(TIMINGS.admissionWaitMs, 2);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await late.reply(), { code: 421, lines: [full(1)] });
});

Deno.test("a slot that frees goes to the newcomer that spoke, not to whoever connects next", async () => {
  const clock = new ManualClock();
  await using s = await startServer({ maxClients: 3, clock });
  // Three silent hogs, just admitted: their grace has a second to run.
  const hogs: RawClient[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      hogs.push((await RawClient.greeted(s.port)).client);
    }
    using newcomer = await RawClient.connect(s.port);
    await newcomer.send("hello");
    await clock.waitForTimer(TIMINGS.silentGraceMs);
    // A hog leaves and comes straight back, as hogs that reconnect do.
    hogs[0].close();
    const again = RawClient.connect(s.port);
    // The freed slot is the newcomer's, at once, before any grace ends.
    assertEquals((await newcomer.reply()).lines, ["Connected as Client04"]);
    assertEquals((await newcomer.reply()).lines, ["helloACK"]);
    hogs.push(await again);
    // The hog that came back waits for a slot like any newcomer.
    assertEquals(s.server.cache.size, 4);
  } finally {
    for (const hog of hogs) hog.close();
  }
});

Deno.test("status never counts more clients connected than there are slots", async () => {
  const clock = new ManualClock();
  await using s = await startServer({
    maxClients: 1,
    timings: { silentGraceMs: 0 },
    clock,
  });
  // A hog that is pushed out, and then neither reads nor closes: its
  // session winds down while the newcomer already has the slot.
  const { client: hog } = await RawClient.greeted(s.port);
  using _ = hog;
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("status");
  assertEquals((await newcomer.reply()).lines, ["Connected as Client02"]);
  const status = await newcomer.reply();
  assertEquals(status.lines.at(-1), "2 clients since start, 1 connected");
  // The hog's line says it left, and when.
  assert(status.lines[1].startsWith("Client01 "));
  assert(!status.lines[1].includes("  -  "), status.lines[1]);
  await clock.advance(TIMINGS.closeGraceMs);
  const gone = await s.disconnected("Client01");
  assert(
    gone.message.endsWith("(made room: no request while the server was full)"),
  );
});

Deno.test("a newcomer that spoke keeps its place in a full waiting room; a silent one goes", async () => {
  const clock = new ManualClock();
  await using s = await startServer({ maxClients: 1, clock });
  const { client: holder } = await RawClient.greeted(s.port);
  using _ = holder;
  // It speaks, and waits for the holder's grace to end.
  using speaker = await RawClient.connect(s.port);
  await speaker.send("hello");
  await clock.waitForTimer(TIMINGS.silentGraceMs);
  // The room fills with silent newcomers, one too many.
  const silent: RawClient[] = [];
  try {
    for (let i = 0; i < MAX_WAITING; i++) {
      silent.push(await RawClient.connect(s.port));
    }
    // None has waited as many turns as the room holds, nor its grace: the
    // one too many waits at the door, and is turned away when its time
    // there is up with no line.
    await clock.waitForTimer(TIMINGS.doorMs);
    await clock.advance(TIMINGS.doorMs);
    assertEquals(await silent.at(-1)!.reply(), {
      code: 421,
      lines: [full(1)],
    });
    await clock.advance(TIMINGS.silentGraceMs);
    assertEquals((await speaker.reply()).lines, ["Connected as Client02"]);
    assertEquals((await speaker.reply()).lines, ["helloACK"]);
  } finally {
    for (const client of silent) client.close();
  }
});

Deno.test("a newcomer whose first read brings its line takes, at the door, the place of a silent one", async () => {
  // The clock stands still: the decision comes with the read, and no one
  // passes a grace.
  const clock = new ManualClock();
  await using s = await startServer({ maxClients: 1, clock });
  const { client: holder } = await RawClient.greeted(s.port);
  using _ = holder;
  const silent: RawClient[] = [];
  try {
    for (let i = 0; i < MAX_WAITING; i++) {
      silent.push(await RawClient.connect(s.port));
    }
    using speaker = await RawClient.connect(s.port);
    await speaker.send("hello");
    assertEquals(await silent[0].reply(), { code: 421, lines: [full(1)] });
    assertEquals((await holder.request("exit")).code, 221);
    assertEquals((await speaker.reply()).lines, ["Connected as Client02"]);
    assertEquals((await speaker.reply()).lines, ["helloACK"]);
  } finally {
    for (const client of silent) client.close();
  }
});

Deno.test("making room with no history kept still ends the pushed-out session cleanly", async () => {
  await using s = await startServer({
    maxClients: 1,
    history: 0,
    timings: { silentGraceMs: 0 },
  });
  const { client: hog } = await RawClient.greeted(s.port);
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("status");
  assertEquals((await newcomer.reply()).lines, ["Connected as Client02"]);
  assertEquals(await hog.reply(), { code: 421, lines: [EVICTED] });
  hog.close();
  const gone = await s.disconnected("Client01");
  assertMatch(
    gone.message,
    /\(made room: no request while the server was full\)$/,
  );
  // Answered while the hog's session still wound down.
  assertEquals(
    (await newcomer.reply()).lines.at(-1),
    "2 clients since start, 1 connected",
  );
  assertEquals(
    (await newcomer.request("status")).lines.at(-1),
    "2 clients since start, 1 connected; 1 earlier client not shown",
  );
});

Deno.test("a client idle for the yield limit makes room for a newcomer that speaks", async () => {
  const clock = new ManualClock();
  const { yieldIdleMs, admissionWaitMs } = TIMINGS;
  await using s = await startServer({ maxClients: 2, clock });
  // Both made a request; the first has been idle longer.
  const { client: older } = await RawClient.greeted(s.port);
  using _older = older;
  await older.request("first");
  await clock.advance(1);
  const { client: younger } = await RawClient.greeted(s.port);
  using _younger = younger;
  await younger.request("second");
  // A newcomer that speaks when the limit is more than its admission wait
  // away is refused once the wait is over.
  await clock.advance(yieldIdleMs - admissionWaitMs - 2);
  using early = await RawClient.connect(s.port);
  await early.send("hello");
  await clock.waitForCleared(admissionWaitMs);
  await clock.advance(admissionWaitMs);
  assertEquals(await early.reply(), { code: 421, lines: [full(2)] });
  // A newcomer that speaks when the first is a moment from the limit
  // waits for that moment, and takes its slot.
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("hello");
  await clock.waitForTimer(1);
  await clock.advance(1);
  assertEquals((await newcomer.reply()).lines, ["Connected as Client03"]);
  assertEquals(await older.reply(), { code: 421, lines: [YIELDED] });
  await older.closed();
  older.close();
  await s.waitForLog(
    "DISCONNECTED",
    /^Client01 at .* \(made room: idle 30 s while the server was full\)$/,
  );
  assertEquals((await younger.request("still here")).code, 250);
});

Deno.test("--yield-after 0 keeps idle clients that made a request", async () => {
  const clock = new ManualClock();
  await using s = await startServer({
    maxClients: 1,
    clock,
    timings: { yieldIdleMs: 0 },
  });
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  await client.request("here");
  await clock.advance(TIMINGS.idleMs - TIMINGS.admissionWaitMs - 1);
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("hello");
  await clock.waitForCleared(TIMINGS.admissionWaitMs);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await newcomer.reply(), { code: 421, lines: [full(1)] });
  assertEquals((await client.request("still here")).code, 250);
});

Deno.test("a client taking a download is not idle, however long it takes", async () => {
  const clock = new ManualClock();
  await using s = await startServer({
    maxClients: 1,
    clock,
    // Larger than any socket's buffers: the download waits on the client.
    files: { "big.bin": { zeros: 64 * 1024 * 1024 } },
  });
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  await client.send("get big.bin");
  assertEquals((await client.reply()).code, 150);
  await clock.advance(TIMINGS.yieldIdleMs);
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send("hello");
  await clock.waitForCleared(TIMINGS.admissionWaitMs);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await newcomer.reply(), { code: 421, lines: [full(1)] });
});

Deno.test("on a token server, a client that gave the token is never pushed out for idling", async () => {
  const clock = new ManualClock();
  const token = "clients-test-token-012345";
  await using s = await startServer({ maxClients: 1, clock, token });
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  assertEquals(
    (await client.request(`hello Client01 tester/1 ${token}`)).code,
    230,
  );
  await clock.advance(TIMINGS.idleMs - TIMINGS.admissionWaitMs - 1);
  using newcomer = await RawClient.connect(s.port);
  await newcomer.send(`hello Client02 tester/1 ${token}`);
  await clock.waitForCleared(TIMINGS.admissionWaitMs);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await newcomer.reply(), { code: 421, lines: [full(1)] });
  assertEquals((await client.request("noop")).code, 200);
});

Deno.test("a slot that frees goes to one newcomer only, however many wait", async () => {
  const clock = new ManualClock();
  await using s = await startServer({ maxClients: 1, clock });
  const { client: occupant } = await RawClient.greeted(s.port);
  await occupant.request("here");
  const waiting: RawClient[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const newcomer = await RawClient.connect(s.port);
      waiting.push(newcomer);
      await newcomer.send("noop");
    }
    await clock.waitForCleared(TIMINGS.admissionWaitMs, 5);
    await occupant.request("exit");
    occupant.close();
    await s.waitForLogCount("NEW CONNECTION", 2);
    await clock.advance(TIMINGS.admissionWaitMs);
    const codes = await Promise.all(
      waiting.map(async (w) => (await w.reply()).code),
    );
    assertEquals(codes.toSorted(), [220, 421, 421, 421, 421]);
    assertEquals(s.server.cache.connected, 1);
  } finally {
    for (const newcomer of waiting) newcomer.close();
  }
});

Deno.test("a newcomer that has not spoken yet still gets the slot that frees before anyone who connects later", async () => {
  const clock = new ManualClock();
  await using s = await startServer({ maxClients: 1, clock });
  const { client: occupant } = await RawClient.greeted(s.port);
  await occupant.request("here");
  // A person at nc, not typing yet.
  using early = await RawClient.connect(s.port);
  await clock.waitForTimer(TIMINGS.admissionWaitMs);
  await occupant.request("exit");
  occupant.close();
  assertEquals((await early.reply()).lines, ["Connected as Client02"]);
  // One who connects later waits for a slot in turn.
  using late = await RawClient.connect(s.port);
  await clock.waitForTimer(TIMINGS.admissionWaitMs);
  await clock.advance(TIMINGS.admissionWaitMs);
  assertEquals(await late.reply(), { code: 421, lines: [full(1)] });
});
