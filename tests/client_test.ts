import {
  connect,
  ConnectionClosedError,
  type DownloadResult,
  ReplyError,
} from "../client.ts";
import { VerificationError } from "../lib/client/checks.ts";
import { STANDARD_OUTPUT } from "../lib/client/streamed_file.ts";
import {
  Code,
  COMMANDS,
  MAX_REQUEST_LINE_BYTES,
  REPLY_LIMITS,
} from "../lib/wire/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  type ErrorClass,
} from "./support/assert.ts";
import {
  readLines,
  send,
  sendReplies,
  withFakeServer,
} from "./support/fake_server.ts";
import { ManualClock } from "./support/clock.ts";
import { listDir, sha256Hex, withTempDir } from "./support/files.ts";
import { closeSession, openSession } from "./support/sessions.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";

const encoder = new TextEncoder();

Deno.test("Session talks to a real server: echo, status, exit", async () => {
  await using t = await startServer();
  const session = await openSession(t.port);
  assertEquals(session.name, "Client01");
  assertEquals(await session.request("hello world"), {
    code: 250,
    lines: ["hello worldACK"],
  });
  assertEquals((await session.request("status")).lines.length, 3);
  assertEquals(await session.request("exit"), {
    code: 221,
    lines: ["Goodbye Client01"],
  });
  assertEquals(await closeSession(session), "Server closed the connection");
});

Deno.test("a session takes the longest echo a server may be set to send", async () => {
  await using t = await startServer({ maxLineBytes: MAX_REQUEST_LINE_BYTES });
  const session = await openSession(t.port);
  const line = "x".repeat(MAX_REQUEST_LINE_BYTES);
  const reply = await session.request(line);
  assertEquals(reply.code, 250);
  assertEquals(reply.lines[0].length, MAX_REQUEST_LINE_BYTES + 3);
  await closeSession(session);
});

Deno.test("connect reports a full server with its reason", async () => {
  // No wait for a slot to free: refused at once.
  await using t = await startServer({
    maxClients: 1,
    timings: { admissionWaitMs: 0 },
  });
  const first = await openSession(t.port);
  const error = await assertRejects(
    () => openSession(t.port),
    ReplyError,
  );
  assertEquals(error.reply.code, 421);
  assertMatch(error.message, /Server is full: 1 of 1/);
  await closeSession(first);
});

Deno.test("connect closes the connection when the server does not greet", async () => {
  for (const first of ["220 Welcome\n", "500 Go away\n"]) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serving = (async () => {
      using conn = await listener.accept();
      await send(conn, first);
      // Then keep the connection open: the client must close it.
      return await readLines(conn, Infinity);
    })();
    try {
      const error = await assertRejects(
        () => openSession(listener.addr.port),
        ReplyError,
      );
      assertEquals(error.message, first.slice(4, -1));
      assertEquals(await within(serving, "the client to close"), false);
    } finally {
      listener.close();
    }
  }
});

/**
 * Downloads from a scripted server that announces a good file under
 * `headerName` (as the header carries it), into `dir`.
 */
async function downloadNamed(
  headerName: string,
  dir: string,
): Promise<DownloadResult> {
  const body = encoder.encode("payload");
  let result: DownloadResult | undefined;
  await withFakeServer(async (conn) => {
    await sendReplies(conn, (out) => out.fileHeader(body.length, headerName));
    await send(conn, body);
    await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(body)));
  }, async (port) => {
    const session = await openSession(port);
    result = await session.download("x", { dir });
    await closeSession(session);
  });
  return result!;
}

Deno.test("download saves a hostile name inside the folder only", async () => {
  for (
    const hostile of [
      "../../escaped.txt",
      "/tmp/absolute.txt",
      "..",
      "a/../../b",
    ]
  ) {
    await withTempDir(async (base) => {
      const dir = `${base}/downloads`;
      const result = await downloadNamed(hostile, dir);
      assertEquals(result.path.startsWith(`${dir}/`), true, result.path);
      assertEquals(await listDir(base), ["downloads"]);
      assertEquals(await listDir(dir), [result.name]);
    });
  }
});

Deno.test("download reads the name in the header as list shows it", async () => {
  // Escaped on the wire: spaces, a character by number.
  for (
    const [sent, saved] of [
      ["notes\\x20\\x20a.txt", "notes  a.txt"],
      ["caf\\u{e9}.txt", "café.txt"],
    ]
  ) {
    await withTempDir(async (dir) => {
      const result = await downloadNamed(sent, dir);
      assertEquals(result.name, saved);
      assertEquals(await listDir(dir), [saved]);
    });
  }
});

Deno.test("download refuses at once a size over the limit or the free space", async (t) => {
  const cases: [string, number, number, RegExp][] = [
    [
      "over --max-size",
      10_000,
      1000,
      /^Refused big\.bin: it is 9.77 KiB, over the --max-size of 1000 B; nothing was saved$/,
    ],
    [
      "over the free space",
      10 ** 15,
      0,
      /^Refused big\.bin: it is 909 TiB, more than the .* free in .*; nothing was saved$/,
    ],
  ];
  for (const [what, size, maxBytes, message] of cases) {
    await t.step(what, async () => {
      await withTempDir(async (dir) => {
        await withFakeServer(async (conn) => {
          await sendReplies(conn, (out) => out.fileHeader(size, "big.bin"));
          // Then bytes without end, as a lying server would send them.
          const chunk = new Uint8Array(64 * 1024);
          for (;;) await send(conn, chunk);
        }, async (port) => {
          const session = await openSession(port);
          const error = await assertRejects(
            () =>
              within(
                session.download("big.bin", { dir, maxBytes }),
                "the refusal",
              ),
            ConnectionClosedError,
          );
          assertMatch(error.message, message);
          await closeSession(session);
        });
        assertEquals(await listDir(dir), []);
      });
    });
  }
});

Deno.test("a cut or corrupt download leaves no file and says why", async (t) => {
  const body = encoder.encode("0123456789");
  const cases: [
    string,
    (conn: Deno.TcpConn) => Promise<void>,
    ErrorClass<Error>,
    RegExp,
  ][] = [
    [
      "connection closed mid-payload",
      async (conn) => {
        await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
        await send(conn, body.subarray(0, 4));
      },
      ConnectionClosedError,
      /^Server closed the connection during the download of f\.bin: 4 B of 10 B arrived; nothing was kept$/,
    ],
    [
      "wrong SHA-256",
      async (conn) => {
        await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
        await send(conn, body);
        await sendReplies(conn, (out) => out.fileTrailer("0".repeat(64)));
      },
      VerificationError,
      /SHA-256 mismatch/,
    ],
    [
      "garbage instead of a trailer",
      async (conn) => {
        await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
        await send(conn, body);
        await send(conn, `this is not a reply\n`);
      },
      ConnectionClosedError,
      /Unexpected line from the server/,
    ],
    [
      "a malformed trailer",
      async (conn) => {
        await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
        await send(conn, body);
        await send(conn, "226 MD5 0123\n");
      },
      VerificationError,
      /^Malformed trailer: MD5 0123$/,
    ],
    [
      "a refusal",
      async (conn) => {
        await sendReplies(
          conn,
          (out) => out.line(Code.NoSuchFile, "No such file: f.bin"),
        );
      },
      ReplyError,
      /No such file/,
    ],
  ];
  for (const [label, script, errorClass, message] of cases) {
    await t.step(label, async () => {
      await withTempDir(async (dir) => {
        await withFakeServer(script, async (port) => {
          const session = await openSession(port);
          const error = await assertRejects(
            () => session.download("f.bin", { dir }),
            errorClass,
          );
          await closeSession(session);
          assertMatch(error.message, message);
        });
        assertEquals(await listDir(dir).catch(() => []), []);
      });
    });
  }
});

Deno.test("a reply taken line by line is handed over as it comes and never held", async () => {
  await using t = await startServer();
  const session = await openSession(t.port);
  const seen: [string, number][] = [];
  const reply = await session.request("status", (text, code) => {
    seen.push([new TextDecoder().decode(text), code]);
  });
  assertEquals(reply, { code: 211, lines: [] });
  assertEquals(seen.length, 3); // header, Client01, summary
  assert(seen.every(([, code]) => code === 211));
  assertMatch(seen[1][0], /^Client01 /);
  await closeSession(session);
});

Deno.test("a reply that never ends is given up at its limit, line by line", async () => {
  await withFakeServer(async (conn) => {
    const lines = encoder.encode("211-endless\n".repeat(1000));
    for (;;) await send(conn, lines);
  }, async (port) => {
    const session = await openSession(port, {
      replyLimits: { ...REPLY_LIMITS, maxLines: 5000 },
    });
    let count = 0;
    await assertRejects(
      () => session.request("status", () => count++),
      ConnectionClosedError,
      "Reply has more than 5000 lines",
    );
    assertEquals(count, 5000);
  });
});

Deno.test("a reply line nobody asked for may only be the server's notice that it closes", async () => {
  await withFakeServer(async (conn) => {
    await sendReplies(conn, (out) => out.echo(encoder.encode("x"), 0, 1));
    await sendReplies(conn, (out) => out.echo(encoder.encode("y"), 0, 1));
    await conn.read(new Uint8Array(16)); // until the client closes
  }, async (port) => {
    const session = await openSession(port);
    assertEquals(await session.request("x"), { code: 250, lines: ["xACK"] });
    assertEquals(
      await within(session.closed, "the client to give up"),
      "Unexpected reply from the server: 250",
    );
  });
});

Deno.test("a server that stalls mid-reply makes the client give up", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  await withFakeServer(async (conn) => {
    await send(conn, "211-Client  Address\n"); // and never the last line
    await released;
  }, async (port) => {
    const session = await openSession(port, { replyTimeoutMs: 200 });
    await assertRejects(
      () => session.request("status"),
      ConnectionClosedError,
      "No reply from the server for 0.2 s",
    );
    release();
  });
});

Deno.test("a server that trickles a reply line a byte at a time is given up", async () => {
  await withFakeServer(async (conn) => {
    // Pacing is the subject here: a byte every 20 ms, never a line end.
    const byte = encoder.encode("x");
    await send(conn, "211-");
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await send(conn, byte);
    }
  }, async (port) => {
    const session = await openSession(port, { replyTimeoutMs: 300 });
    await assertRejects(
      () => within(session.request("status"), "the client to give up"),
      ConnectionClosedError,
      "No reply from the server for 0.3 s",
    );
  });
});

Deno.test("a download slower than the floor for long enough is given up", async () => {
  await withTempDir(async (dir) => {
    await withFakeServer(async (conn) => {
      await sendReplies(conn, (out) => out.fileHeader(1 << 20, "slow.bin"));
      // Pacing is the subject: 10 bytes every 20 ms, 500 B/s.
      const chunk = new Uint8Array(10);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await send(conn, chunk);
      }
    }, async (port) => {
      const session = await openSession(port, {
        replyTimeoutMs: 10_000,
        speedLimit: 1000,
        speedTimeMs: 400,
      });
      await assertRejects(
        () =>
          within(
            session.download("slow.bin", { dir }),
            "the client to give up",
          ),
        ConnectionClosedError,
        "Download slower than 1000 B/s for 0.4 s (see --speed-limit)",
      );
    });
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("a reply timeout of 0 waits for a slow server as long as it takes", async () => {
  await withFakeServer(async (conn) => {
    // Silence is what this test is about: a pause, not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sendReplies(conn, (out) => out.line(COMMANDS.status.code, "late"));
  }, async (port) => {
    const session = await openSession(port, { replyTimeoutMs: 0 });
    assertEquals(await within(session.request("status"), "the reply"), {
      code: 211,
      lines: ["late"],
    });
    await closeSession(session);
  });
});

Deno.test("a server that closes mid-reply is reported", async () => {
  await withFakeServer(async (conn) => {
    await send(conn, "211-Client  Address\n");
  }, async (port) => {
    const session = await openSession(port);
    await assertRejects(
      () => session.request("status"),
      ConnectionClosedError,
      "Server closed the connection",
    );
  });
});

Deno.test("a server that never answers the TLS handshake is given up at the timeout", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const clock = new ManualClock();
  const timeoutMs = 5000;
  const attempt = connect({
    port: listener.addr.port,
    tls: {},
    replyTimeoutMs: timeoutMs,
    clock,
  }).then(() => null, (error) => error);
  // The ClientHello arrives and is never answered.
  using conn = await within(accepted, "the client to connect");
  await conn.read(new Uint8Array(1024));
  await clock.waitForTimer(timeoutMs);
  await clock.advance(timeoutMs);
  const error = await within(attempt, "the client to give up");
  assertInstanceOf(error, Deno.errors.TimedOut);
  assertEquals(error.message, "no answer within 5 s (see --timeout)");
});

Deno.test("a download to standard output (-o -) is written as it arrives and still checked", async (t) => {
  const body = encoder.encode("streamed payload");
  const stream = (digest: string) => {
    let text = "";
    const stdout = {
      write: (bytes: Uint8Array) => {
        text += new TextDecoder().decode(bytes);
        return Promise.resolve(bytes.length);
      },
    };
    const written = () => text;
    return { stdout, written, digest };
  };
  for (
    const [name, digest, ok] of [
      ["the right digest", sha256Hex(body), true],
      ["a wrong digest", "0".repeat(64), false],
    ] as const
  ) {
    await t.step(name, async () => {
      await withTempDir(async (dir) => {
        const sink = stream(digest);
        await withFakeServer(async (conn) => {
          await sendReplies(
            conn,
            (out) => out.fileHeader(body.length, "s.txt"),
          );
          await send(conn, body);
          await sendReplies(conn, (out) => out.fileTrailer(digest));
        }, async (port) => {
          const session = await openSession(port);
          const download = session.download("s.txt", {
            dir,
            saveAs: STANDARD_OUTPUT,
            stdout: sink.stdout,
          });
          if (ok) assertEquals((await download).path, STANDARD_OUTPUT);
          else {await assertRejects(
              () => download,
              VerificationError,
              "SHA-256 mismatch",
            );}
          await closeSession(session);
        });
        // Every byte went on as it came; nothing was made in the folder.
        assertEquals(sink.written(), "streamed payload");
        assertEquals(await listDir(dir), []);
      });
    });
  }
});
