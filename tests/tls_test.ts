/**
 * TLS: everything works the same over it, the server's certificate is
 * checked, and a mismatch of TLS and plain text fails on both sides with
 * words that say so.
 */

import { connect } from "../client.ts";
import { assertEquals, assertMatch, assertRejects } from "./support/assert.ts";
import { SYSTEM_CLOCK } from "../lib/common/mod.ts";
import { grade } from "../lib/grade/mod.ts";
import { makeCertificates, NO_OPENSSL } from "../tools/certs.ts";
import { listDir, sha256Hex, withTempDir } from "./support/files.ts";
import { programCommand } from "../tools/programs.ts";
import { closeSession } from "./support/sessions.ts";
import { MAX_HANDSHAKES, TIMINGS } from "../lib/server/config.ts";
import { ManualClock } from "./support/clock.ts";
import { RawClient } from "./support/raw_client.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";

const ignore = NO_OPENSSL !== null;
const ignored = ignore ? ` (ignored: ${NO_OPENSSL})` : "";
const certs = ignore ? null : await makeCertificates();

/** A server speaking TLS with the test certificate, on `clock`. */
function startTlsServer(clock: ManualClock) {
  return startServer({ tls: { cert: certs!.cert, key: certs!.key }, clock });
}

Deno.test({
  name:
    `over TLS, status, list and a verified download work as over TCP${ignored}`,
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const bytes = crypto.getRandomValues(new Uint8Array(50_000));
      await using t = await startServer({
        tls: { cert: certs!.cert, key: certs!.key },
        files: { "data.bin": bytes },
      });
      const session = await connect({
        port: t.port,
        tls: { caCerts: [certs!.ca] },
      });
      assertEquals((await session.request("status")).code, 211);
      assertEquals((await session.request("list")).code, 212);
      const result = await session.download("data.bin", { dir });
      assertEquals(result.sha256, sha256Hex(bytes));
      assertEquals(await listDir(dir), ["data.bin"]);
      await closeSession(session);
    }),
});

/** The client program, one-shot `status`, with `args`; in `dir`. */
async function runClient(dir: string, args: string[]) {
  const command = await programCommand("client", [...args, "status"], {
    cwd: dir,
    env: { NO_COLOR: "1" },
  });
  const { code, stdout, stderr } = await within(
    command.output(),
    "the client to exit",
  );
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** A folder for the client program, with the authorities in its downloads. */
async function withClientDir(test: (dir: string) => Promise<void>) {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/downloads`);
    await Deno.writeTextFile(`${dir}/downloads/ca.pem`, certs!.ca);
    await Deno.writeTextFile(`${dir}/downloads/other.pem`, certs!.otherCa);
    await test(dir);
  });
}

Deno.test({
  name:
    `the client program checks the certificate: its authority, or it says whose is missing${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      await using t = await startServer({
        tls: { cert: certs!.cert, key: certs!.key },
      });
      const port = ["--port", String(t.port)];
      const good = await runClient(dir, [...port, "--ca", "downloads/ca.pem"]);
      assertEquals(good.code, 0, good.stderr);
      assertMatch(good.stdout, /^Client01 /m);
      const other = await runClient(dir, [
        ...port,
        "--ca",
        "downloads/other.pem",
      ]);
      assertEquals(other, {
        code: 1,
        stdout: "",
        stderr:
          `error: Cannot connect to 127.0.0.1:${t.port} over TLS: its certificate is not from an authority this client trusts (give that authority with --ca FILE)\n`,
      });
      // The system's authorities do not know the test one either.
      const system = await runClient(dir, [...port, "--tls"]);
      assertEquals(system.code, 1);
      assertMatch(system.stderr, /not from an authority this client trusts/);
    }),
});

Deno.test({
  name:
    `plain text to a TLS server, and TLS to a plain server: both sides say so, at once${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      {
        await using t = await startServer({
          tls: { cert: certs!.cert, key: certs!.key },
        });
        const plain = await runClient(dir, ["--port", String(t.port)]);
        assertEquals(plain, {
          code: 1,
          stdout: "",
          stderr:
            `error: 127.0.0.1:${t.port} speaks TLS: connect with --tls (and --ca FILE if its certificate is from a private authority)\n`,
        });
        // Turned away before it had a slot or a name.
        const turned = await t.waitForLog("REJECTED");
        assertMatch(
          turned.message,
          /^127\.0\.0\.1:\d+: TLS handshake failed: /,
        );
        assertEquals(t.server.cache.size, 0);
        assertEquals(t.logs.filter((e) => e.kind === "ERROR"), []);
      }
      {
        await using t = await startServer();
        const tls = await runClient(dir, [
          "--port",
          String(t.port),
          "--ca",
          "downloads/ca.pem",
        ]);
        assertEquals(tls, {
          code: 1,
          stdout: "",
          stderr:
            `error: 127.0.0.1:${t.port} does not speak TLS (it answered in plain text): connect without --tls\n`,
        });
        const gone = await t.disconnected("Client01");
        assertMatch(gone.message, /\(spoke TLS to this plain-text server\)$/);
      }
      // And the library says what went wrong, as errors.
      await using t = await startServer();
      await assertRejects(
        () => connect({ port: t.port, tls: { caCerts: [certs!.ca] } }),
        Deno.errors.InvalidData,
      );
    }),
});

Deno.test({
  name:
    `a TLS handshake that never ends is given up, and takes no slot meanwhile${ignored}`,
  ignore,
  fn: async () => {
    const clock = new ManualClock();
    await using t = await startServer({
      tls: { cert: certs!.cert, key: certs!.key },
      maxClients: 1,
      clock,
    });
    // Connected, and silent: no ClientHello ever comes.
    using _silent = await Deno.connect({ hostname: "127.0.0.1", port: t.port });
    await clock.waitForTimer(TIMINGS.handshakeMs);
    // A real client is served meanwhile, in the one slot.
    const session = await within(
      connect({ port: t.port, tls: { caCerts: [certs!.ca] }, clock }),
      "a real client to get in",
    );
    assertEquals(session.name, "Client01");
    await closeSession(session);
    await clock.advance(TIMINGS.handshakeMs);
    const turned = await t.waitForLog("REJECTED");
    assertMatch(
      turned.message,
      /^127\.0\.0\.1:\d+: no TLS handshake within 10 s$/,
    );
  },
});

Deno.test({
  name: `a TLS handshake given up closes the peer's socket at once${ignored}`,
  ignore,
  fn: async (t) => {
    // Silent, and stalled after a record header announcing 512 bytes.
    const openings = {
      silent: new Uint8Array(),
      "half-open": new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]),
    };
    for (const [kind, opening] of Object.entries(openings)) {
      await t.step(kind, async () => {
        const clock = new ManualClock();
        await using s = await startTlsServer(clock);
        using peer = await RawClient.connect(s.port);
        await peer.write(opening);
        await clock.waitForTimer(TIMINGS.handshakeMs);
        await clock.advance(TIMINGS.handshakeMs);
        // Ended by the server, not held until the peer sends or leaves.
        await peer.closed();
        const turned = await s.waitForLog("REJECTED");
        assertMatch(turned.message, /: no TLS handshake within 10 s$/);
      });
    }
  },
});

Deno.test({
  name:
    `at the bound of handshakes under way, the oldest gives way to a real client${ignored}`,
  ignore,
  fn: async () => {
    const clock = new ManualClock();
    await using t = await startTlsServer(clock);
    // As many connections as may shake hands at once, all silent.
    const silent = await Promise.all(
      Array.from(
        { length: MAX_HANDSHAKES },
        () => Deno.connect({ hostname: "127.0.0.1", port: t.port }),
      ),
    );
    try {
      await clock.waitForTimer(TIMINGS.handshakeMs, MAX_HANDSHAKES);
      const session = await within(
        connect({ port: t.port, tls: { caCerts: [certs!.ca] }, clock }),
        "a real client to get in",
      );
      assertEquals(session.name, "Client01");
      await closeSession(session);
      const turned = await t.waitForLog("REJECTED");
      assertMatch(
        turned.message,
        /^127\.0\.0\.1:\d+: TLS handshake given up for a newer one: too many under way$/,
      );
    } finally {
      for (const conn of silent) conn.close();
    }
  },
});

Deno.test({
  name:
    `a handshake given up for a newer one is held to its deadline, so its peer cannot come straight back${ignored}`,
  ignore,
  fn: async () => {
    const clock = new ManualClock();
    await using t = await startTlsServer(clock);
    const silent = await Promise.all(
      Array.from({ length: MAX_HANDSHAKES }, () => RawClient.connect(t.port)),
    );
    try {
      await clock.waitForTimer(TIMINGS.handshakeMs, MAX_HANDSHAKES);
      using _newer = await RawClient.connect(t.port);
      const turned = await t.waitForLog("REJECTED");
      const port = Number(turned.message.match(/^127\.0\.0\.1:(\d+): /)![1]);
      const oldest = silent.find((c) => c.conn.localAddr.port === port)!;
      // Not told: no byte and no end comes while the others wait.
      const read = oldest.conn.read(new Uint8Array(1)).catch(() => null);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const open = new Promise((resolve) => {
        timer = setTimeout(() => resolve("still open"), 200);
      });
      assertEquals(await Promise.race([read, open]), "still open");
      clearTimeout(timer);
      // Closed when its handshake's time is up.
      await clock.advance(TIMINGS.handshakeMs);
      assertEquals(await within(read, "the held socket to close"), null);
    } finally {
      for (const client of silent) client.close();
    }
  },
});

/** What a real TLS client sends first: its whole hello. */
async function realHello(): Promise<Uint8Array> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    caCerts: [certs!.ca],
  });
  const shaking = client.handshake().catch(() => {});
  using conn = await listener.accept();
  const bytes = new Uint8Array(64 * 1024);
  const wanted = (got: number) => got < 5 ? 5 : 5 + (bytes[3] << 8 | bytes[4]);
  let got = 0;
  while (got < wanted(got)) {
    const n = await within(conn.read(bytes.subarray(got)), "a hello");
    if (n === null) throw new Error("The client sent no hello");
    got += n;
  }
  conn.close();
  await shaking;
  return bytes.slice(0, got);
}

Deno.test({
  name:
    `a peer that sent its hello whole gives way to a newer handshake only after those that did not${ignored}`,
  ignore,
  fn: async () => {
    const hello = await realHello();
    const clock = new ManualClock();
    await using t = await startTlsServer(clock);
    // The oldest: its hello came whole (the server answers it), then nothing.
    using stalled = await RawClient.connect(t.port);
    await stalled.write(hello);
    await within(stalled.conn.read(new Uint8Array(64 * 1024)), "an answer");
    // The rest announce a record and never end it.
    const trickling: RawClient[] = [];
    try {
      for (let i = 1; i < MAX_HANDSHAKES; i++) {
        const client = await RawClient.connect(t.port);
        trickling.push(client);
        await client.write(new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00]));
      }
      await clock.waitForTimer(TIMINGS.handshakeMs, MAX_HANDSHAKES);
      using _newer = await RawClient.connect(t.port);
      const turned = await t.waitForLog("REJECTED");
      assertEquals(
        turned.message,
        `127.0.0.1:${
          trickling[0].conn.localAddr.port
        }: TLS handshake given up for a newer one: too many under way`,
      );
    } finally {
      for (const client of trickling) client.close();
    }
  },
});

Deno.test({
  name:
    `the client's plain mode speaks TLS too, checking the certificate${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      await using t = await startServer({
        tls: { cert: certs!.cert, key: certs!.key },
        timings: { lineGapMs: 30 },
      });
      const port = ["--port", String(t.port)];
      const good = await runClient(dir, [
        ...port,
        "--plain",
        "--ca",
        "downloads/ca.pem",
      ]);
      assertEquals(good.code, 0, good.stderr);
      assertMatch(good.stdout, /^220 Connected as Client01\n211-Client /);
      const other = await runClient(dir, [
        ...port,
        "--plain",
        "--ca",
        "downloads/other.pem",
      ]);
      assertEquals(other.code, 1);
      assertMatch(
        other.stderr,
        /^error: Cannot connect to 127\.0\.0\.1:\d+ over TLS: its certificate is not from an authority this client trusts/,
      );
    }),
});

Deno.test({
  name:
    `the grader says a TLS server cannot be graded, and passes nothing${ignored}`,
  ignore,
  fn: async () => {
    await using t = await startServer({
      tls: { cert: certs!.cert, key: certs!.key },
    });
    const { grade: result, lineEnd } = await grade({
      target: { hostname: "127.0.0.1", port: t.port },
      maxClients: 3,
      quietMs: 100,
      waitMs: 1000,
      overLimitWaitMs: 1500,
      replyMs: 10_000,
      file: null,
      expect: null,
      clock: SYSTEM_CLOCK,
    });
    assertEquals([lineEnd, result.passed, result.score], [null, false, 0]);
    assertEquals(
      new Set(result.cases.map((c) => `${c.verdict}: ${c.evidence.at(-1)}`)),
      new Set([
        "skip: the server speaks TLS, and the grader speaks plain TCP only",
      ]),
    );
  },
});
