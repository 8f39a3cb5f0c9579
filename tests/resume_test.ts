import {
  ConnectionClosedError,
  type DownloadOptions,
  type DownloadResult,
  ReplyError,
} from "../client.ts";
import { VerificationError } from "../lib/client/checks.ts";
import { keptName, nameTag, PartBusyError } from "../lib/client/kept_part.ts";
import { SYSTEM_CLOCK } from "../lib/common/mod.ts";
import { fileVersion } from "../lib/server/digest_cache.ts";
import { Code, NO_VERSION } from "../lib/wire/mod.ts";
import {
  assert,
  assertEquals,
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
import { listDir, sha256Hex, withTempDir } from "./support/files.ts";
import { RawClient } from "./support/raw_client.ts";
import { closeSession, openSession } from "./support/sessions.ts";
import { startServer } from "./support/test_server.ts";
import { programCommand } from "../tools/programs.ts";
import { within } from "../tools/wait.ts";

const decoder = new TextDecoder();

/** `size` bytes that differ from place to place, so an offset shows. */
function pattern(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * seed + (i >> 13)) & 0xff;
  return bytes;
}

/**
 * A `get -c` of `name` into `dir`, on a session of its own: what it saved,
 * and what it said on the way.
 */
async function getContinued(
  port: number,
  name: string,
  dir: string,
): Promise<{ result: DownloadResult; notices: string[] }> {
  const notices: string[] = [];
  const session = await openSession(port);
  try {
    const result = await session.download(name, {
      dir,
      resume: true,
      onNotice: (text) => notices.push(text),
    });
    return { result, notices };
  } finally {
    await closeSession(session);
  }
}

/**
 * A `get -c` of `f.bin` on a session of its own that must fail with
 * `errorClass` (its message including `message`, when given): the error.
 */
async function refusedContinue<E extends Error>(
  port: number,
  options: Partial<DownloadOptions>,
  errorClass: ErrorClass<E>,
  message?: string,
): Promise<E> {
  const session = await openSession(port);
  try {
    return await assertRejects(
      () => session.download("f.bin", { ...options, resume: true }),
      errorClass,
      message,
    );
  } finally {
    await closeSession(session);
  }
}

/** The version the server gives the file at `path` now. */
async function versionOf(path: string): Promise<string> {
  return fileVersion(await Deno.stat(path));
}

Deno.test("resume on the wire: the rest of the same version, the whole of another, the whole file's SHA-256", async () => {
  const body = pattern(100_000);
  await using t = await startServer({ files: { "a b.bin": body } });
  const version = await versionOf(`${t.filesDir}/a b.bin`);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const whole = sha256Hex(body);
  // [request, offset sent, bytes that follow]
  for (
    const [line, offset] of [
      [`resume 0 ${NO_VERSION} a b.bin`, 0],
      [`resume 60000 ${version} a b.bin`, 60000],
      [`resume 100000 ${version}   a b.bin `, 100000],
      // Another version: all of it, with the version it is now.
      ["resume 60000 0123abcd a b.bin", 0],
    ] as const
  ) {
    const header = await client.request(line);
    assertEquals(header, {
      code: Code.FileHeader,
      lines: [
        `Version ${version}`,
        `Offset ${offset}`,
        `${body.length - offset} a b.bin`,
      ],
    }, line);
    assertEquals(await client.payload(), body.subarray(offset), line);
    assertEquals(await client.reply(), {
      code: Code.FileDone,
      lines: [`SHA-256 ${whole}`],
    });
  }
  // A part longer than the file cannot be of it: the whole file.
  assertEquals(
    (await client.request(`resume 100001 ${version} a b.bin`)).lines,
    [`Version ${version}`, "Offset 0", "100000 a b.bin"],
  );
  assertEquals(await client.payload(), body);
  await client.reply();
  // A line not in the form, a name that is not there.
  for (
    const [line, code, text] of [
      [
        "resume 5 - a b.bin",
        Code.BadArguments,
        "Usage: resume <offset> <version> <name> (- for no version, with offset 0)",
      ],
      [
        "resume 0 ../x a b.bin",
        Code.BadArguments,
        "Usage: resume <offset> <version> <name> (- for no version, with offset 0)",
      ],
      ["resume 0 - missing.bin", Code.NoSuchFile, "No such file: missing.bin"],
    ] as const
  ) {
    assertEquals(await client.request(line), { code, lines: [text] }, line);
  }
  // The connection is still in step.
  assertEquals((await client.request("noop")).code, 200);
  await t.waitForLog("DOWNLOAD", "got the rest of a b.bin from byte 60000 (");
});

Deno.test("resume of a file whose digest is remembered skips the part the client has", async () => {
  const body = pattern(50_000, 11);
  await using t = await startServer({ files: { "old.bin": body } });
  // Old enough to be remembered (see RACY_MS), once sent whole.
  const path = `${t.filesDir}/old.bin`;
  const past = new Date(Date.now() - 60_000);
  await Deno.utime(path, past, past);
  const version = await versionOf(path);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  await client.request("get old.bin");
  await client.payload();
  await client.reply();
  assertEquals(
    (await client.request(`resume 49000 ${version} old.bin`)).lines,
    [
      `Version ${version}`,
      "Offset 49000",
      "1000 old.bin",
    ],
  );
  assertEquals(await client.payload(), body.subarray(49000));
  assertEquals((await client.reply()).lines, [`SHA-256 ${sha256Hex(body)}`]);
});

Deno.test("get -c keeps what a cut download got, and after a server restart asks only for the rest", async () => {
  // Over the size hashed on a second thread, so that path skips too.
  const body = pattern(40 << 20);
  const filesDir = await Deno.makeTempDir({ prefix: "ackline-files-" });
  await Deno.writeFile(`${filesDir}/big.bin`, body);
  const version = await versionOf(`${filesDir}/big.bin`);
  try {
    await withTempDir(async (dir) => {
      const notices: string[] = [];
      {
        await using t = await startServer({ filesDir });
        const session = await openSession(t.port);
        let stopping: Promise<void> | null = null;
        await assertRejects(
          () =>
            session.download("big.bin", {
              dir,
              resume: true,
              onNotice: (text) => notices.push(text),
              // The server stops once the first bytes are in.
              onProgress: (received) => {
                if (received > 0) stopping ??= t.server.shutdown();
              },
            }),
          ConnectionClosedError,
        );
        await closeSession(session);
        await within(stopping!, "the server to stop");
      }
      const part = keptName("big.bin", nameTag("big.bin"), version);
      assertEquals(await listDir(dir), [part]);
      const kept = (await Deno.stat(`${dir}/${part}`)).size;
      assert(kept > 0 && kept < body.length, `kept ${kept}`);
      assertEquals(notices, []);

      await using t = await startServer({ filesDir });
      const { result, notices: said } = await getContinued(
        t.port,
        "big.bin",
        dir,
      );
      notices.push(...said);
      assertEquals(result.offset, kept);
      assertEquals(result.sha256, sha256Hex(body));
      assertEquals(await listDir(dir), ["big.bin"]);
      assertEquals(sha256Hex(await Deno.readFile(result.path)), result.sha256);
      assertEquals(notices.length, 1);
      assertMatch(notices[0], /^Continuing big\.bin after the .* kept in /);
      await t.waitForLog(
        "DOWNLOAD",
        `got the rest of big.bin from byte ${kept} (`,
      );
    });
  } finally {
    await Deno.remove(filesDir, { recursive: true });
  }
});

Deno.test("get -c of a file changed since the cut starts again, says why, and drops the old part", async () => {
  await using t = await startServer({ files: { "doc.txt": "first words" } });
  const path = `${t.filesDir}/doc.txt`;
  const old = await versionOf(path);
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/${keptName("doc.txt", nameTag("doc.txt"), old)}`,
      "first",
    );
    await Deno.writeTextFile(path, "second, longer words");
    const { result, notices } = await getContinued(t.port, "doc.txt", dir);
    assertEquals(result.offset, 0);
    assertEquals(await Deno.readTextFile(result.path), "second, longer words");
    assertEquals(await listDir(dir), ["doc.txt"]);
    assertEquals(notices.slice(1), [
      "doc.txt changed on the server since its part was kept; getting it from the start",
    ]);
  });
});

Deno.test("get -c at a server that does not know resume says so and gets the whole file", async (t) => {
  const body = new TextEncoder().encode("0123456789");
  for (
    const [label, answer] of [
      ["an older ackline server echoes it", `250 resume 0 - f.binACK\n`],
      ["another says it is not understood", "500 Unknown command\n"],
      ["another says it is not implemented", "502 Not implemented\n"],
    ]
  ) {
    await t.step(label, async () => {
      await withTempDir(async (dir) => {
        const asked: string[] = [];
        await withFakeServer(async (conn) => {
          await send(conn, answer);
          assert(await readLines(conn)); // the `get` that follows
          await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
          await send(conn, body);
          await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(body)));
          asked.push("get");
        }, async (port) => {
          const { result, notices } = await getContinued(port, "f.bin", dir);
          assertEquals(result.offset, 0);
          assertEquals(notices, [
            "This server cannot continue downloads; getting f.bin whole, and nothing of it is kept if it is cut",
          ]);
        });
        assertEquals(asked, ["get"]);
        assertEquals(await listDir(dir), ["f.bin"]);
      });
    });
  }
});

Deno.test("get -c never trusts a server that goes on from elsewhere, names a bad version or sends a wrong digest", async (t) => {
  const whole = new TextEncoder().encode("0123456789");
  const kept = whole.subarray(0, 4);
  const part = keptName("f.bin", nameTag("f.bin"), "v1");
  const cases: [
    string,
    (conn: Deno.TcpConn) => Promise<void>,
    ErrorClass<Error>,
    RegExp,
    string[], // what is left in the folder
  ][] = [
    [
      "an offset other than the one asked for",
      async (conn) => {
        await sendReplies(
          conn,
          (out) => out.fileHeader(8, "f.bin", { version: "v1", offset: 2 }),
        );
        await send(conn, whole.subarray(2));
        await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(whole)));
      },
      VerificationError,
      /^The server went on from byte 2, not 4 as asked$/,
      [part],
    ],
    [
      "a version that would leave the folder",
      (conn) => send(conn, "150-Version ../../v1\n150-Offset 4\n150 6 f.bin\n"),
      ConnectionClosedError,
      /header/i,
      [part],
    ],
    [
      "no version at all",
      async (conn) => {
        await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
        await send(conn, whole);
        await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(whole)));
      },
      VerificationError,
      /did not say the file's version/,
      [part],
    ],
    [
      "a digest that is not the whole file's",
      async (conn) => {
        await sendReplies(
          conn,
          (out) => out.fileHeader(6, "f.bin", { version: "v1", offset: 4 }),
        );
        await send(conn, whole.subarray(4));
        await sendReplies(
          conn,
          (out) => out.fileTrailer(sha256Hex(whole.subarray(4))),
        );
      },
      VerificationError,
      /SHA-256 mismatch/,
      [],
    ],
  ];
  for (const [label, script, errorClass, message, left] of cases) {
    await t.step(label, async () => {
      await withTempDir(async (base) => {
        const dir = `${base}/downloads`;
        await Deno.mkdir(dir);
        await Deno.writeFile(`${dir}/${part}`, kept);
        await withFakeServer(script, async (port) => {
          const error = await refusedContinue(port, { dir }, errorClass);
          assertMatch(error.message, message);
        });
        // Nothing outside the folder; the part untouched unless disproved.
        assertEquals(await listDir(base), ["downloads"]);
        assertEquals(await listDir(dir), left);
        if (left.length > 0) {
          assertEquals(await Deno.readFile(`${dir}/${part}`), kept);
        }
      });
    });
  }
});

Deno.test("get -c saves under the name asked for, whatever name the server's header gives", async () => {
  const whole = new TextEncoder().encode("0123456789");
  await withTempDir(async (base) => {
    const dir = `${base}/downloads`;
    await Deno.mkdir(dir);
    await Deno.writeFile(
      `${dir}/${keptName("f.bin", nameTag("f.bin"), "v1")}`,
      whole.slice(0, 4),
    );
    await withFakeServer(async (conn) => {
      await sendReplies(
        conn,
        (out) =>
          out.fileHeader(6, "../../evil.bin", { version: "v1", offset: 4 }),
      );
      await send(conn, whole.subarray(4));
      await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(whole)));
    }, async (port) => {
      const session = await openSession(port);
      const result = await session.download("f.bin", { dir, resume: true });
      await closeSession(session);
      assertEquals(result.path, `${dir}/f.bin`);
    });
    assertEquals(await listDir(base), ["downloads"]);
    assertEquals(await listDir(dir), ["f.bin"]);
    assertEquals(await Deno.readFile(`${dir}/f.bin`), whole);
  });
});

Deno.test("get -c leaves alone a part another download holds, and never writes through what is in a new part's place", async (t) => {
  const body = new TextEncoder().encode("0123456789");
  await using server = await startServer({ files: { "f.bin": body } });
  const version = await versionOf(`${server.filesDir}/f.bin`);
  const part = keptName("f.bin", nameTag("f.bin"), version);
  await t.step("a part locked by another download", async () => {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/${part}`, body.subarray(0, 4));
      using other = await Deno.open(`${dir}/${part}`, { write: true });
      await other.lock(true);
      await refusedContinue(
        server.port,
        { dir },
        PartBusyError,
        "is in use by another download of the same file",
      );
      assertEquals(await Deno.readFile(`${dir}/${part}`), body.subarray(0, 4));
    });
  });
  for (
    const [label, make] of [
      [
        "a link",
        (path: string, outside: string) => Deno.symlink(outside, path),
      ],
      ["a folder", (path: string) => Deno.mkdir(path)],
    ] as const
  ) {
    await t.step(`${label} where a new part would go`, async () => {
      await withTempDir(async (base) => {
        const dir = `${base}/downloads`;
        await Deno.mkdir(dir);
        const outside = `${base}/victim.txt`;
        await Deno.writeTextFile(outside, "untouched");
        await make(`${dir}/${part}`, outside);
        // Refused at the header, before a byte: the connection is closed.
        const error = await refusedContinue(
          server.port,
          { dir },
          ConnectionClosedError,
        );
        assert(error.cause instanceof PartBusyError, String(error.cause));
        assertMatch(error.message, /is in the way/);
        assertEquals(await Deno.readTextFile(outside), "untouched");
        assertEquals(await listDir(dir), [part]);
      });
    });
  }
  await t.step("another program's part file of a like name", async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/f.bin.pdf.part`, "not ours");
      const session = await openSession(server.port);
      const result = await session.download("f.bin", { dir, resume: true });
      await closeSession(session);
      assertEquals(result.offset, 0);
      assertEquals(await listDir(dir), ["f.bin", "f.bin.pdf.part"]);
    });
  });
});

Deno.test("while the server reads the part a client has, it says so each second, and the client takes no harm", async () => {
  const body = pattern(5 << 20, 3);
  // A clock that runs a second ahead each time it is read: every chunk
  // read is a second late.
  let ticks = 0;
  const fast = {
    ...SYSTEM_CLOCK,
    now: () => ++ticks * 1000,
  };
  await using t = await startServer({ files: { "f.bin": body }, clock: fast });
  const version = await versionOf(`${t.filesDir}/f.bin`);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const header = await client.request(`resume ${4 << 20} ${version} f.bin`);
  assertEquals(header.lines.slice(0, 2), [
    `Version ${version}`,
    `Offset ${4 << 20}`,
  ]);
  assertEquals(header.lines.at(-1), `${1 << 20} f.bin`);
  const notes = header.lines.slice(2, -1);
  assert(notes.length >= 3, JSON.stringify(notes));
  assertEquals(
    notes[0],
    "Reading the 4 MiB the client has: 1 MiB so far",
  );
  assertEquals(client.replies.payload?.version, version);
  assertEquals(await client.payload(), body.subarray(4 << 20));
  assertEquals((await client.reply()).lines, [`SHA-256 ${sha256Hex(body)}`]);
});

Deno.test("a download takes any number of the server's words before its header, keeping none", async () => {
  const body = new TextEncoder().encode("0123456789");
  await withTempDir(async (dir) => {
    await withFakeServer(async (conn) => {
      const note = `150-Reading: ${"x".repeat(1000)}\n`;
      await send(conn, "150-Version v2\n150-Offset 0\n");
      for (let i = 0; i < 2000; i++) await send(conn, note);
      await sendReplies(conn, (out) => out.fileHeader(10, "f.bin"));
      await send(conn, body);
      await sendReplies(conn, (out) => out.fileTrailer(sha256Hex(body)));
    }, async (port) => {
      const session = await openSession(port);
      const result = await session.download("f.bin", { dir, resume: true });
      await closeSession(session);
      assertEquals(result.sha256, sha256Hex(body));
    });
    assertEquals(await listDir(dir), ["f.bin"]);
  });
});

Deno.test("parts of two files saved under one name, and a part left as it was, are each kept apart", async () => {
  const big = pattern(1 << 20, 5);
  await using t = await startServer({
    files: { "data:x.bin": big, "data_x.bin": "small" },
  });
  const version = await versionOf(`${t.filesDir}/data:x.bin`);
  await withTempDir(async (dir) => {
    const part = keptName("data_x.bin", nameTag("data:x.bin"), version);
    await Deno.writeFile(`${dir}/${part}`, big.subarray(0, 1000));
    // The other file of the same local name leaves that part alone.
    const notices: string[] = [];
    const session = await openSession(t.port);
    const other = await session.download("data_x.bin", {
      dir,
      resume: true,
      onNotice: (text) => notices.push(text),
    });
    assertEquals([other.offset, notices], [0, []]);
    assertEquals((await listDir(dir)).includes(part), true);
    // Its own file goes on from it.
    const own = await session.download("data:x.bin", {
      dir,
      resume: true,
      overwrite: true,
    });
    await closeSession(session);
    assertEquals(own.offset, 1000);
    assertEquals(await Deno.readFile(own.path), big);
  });
});

Deno.test("a get -c cut before its header says where its part still is", async () => {
  await withTempDir(async (dir) => {
    const part = keptName("f.bin", nameTag("f.bin"), "v1");
    await Deno.writeTextFile(`${dir}/${part}`, "0123");
    const kept: string[] = [];
    await withFakeServer(async () => {}, async (port) => {
      await refusedContinue(
        port,
        { dir, onKept: (path) => kept.push(path) },
        ConnectionClosedError,
      );
    });
    assertEquals(kept, [`${dir}/${part}`]);
    assertEquals(await Deno.readTextFile(`${dir}/${part}`), "0123");
  });
});

Deno.test("a resume line too long for the server is said as the server's reply, not taken for an old server", async () => {
  await withTempDir(async (dir) => {
    const notices: string[] = [];
    await withFakeServer(async (conn) => {
      await send(conn, "500 Line is longer than 40 bytes; closing\n");
    }, async (port) => {
      await refusedContinue(
        port,
        { dir, onNotice: (text) => notices.push(text) },
        ReplyError,
        "Line is longer than 40 bytes; closing",
      );
    });
    assertEquals(notices, []);
  });
});

Deno.test("--max-size counts the whole file, the part kept too", async () => {
  const body = pattern(10_000, 9);
  await using t = await startServer({ files: { "f.bin": body } });
  const version = await versionOf(`${t.filesDir}/f.bin`);
  await withTempDir(async (dir) => {
    const part = keptName("f.bin", nameTag("f.bin"), version);
    await Deno.writeFile(`${dir}/${part}`, body.subarray(0, 8_000));
    // 2,000 bytes to come would fit 9,000; the file's 10,000 do not.
    const error = await refusedContinue(
      t.port,
      { dir, maxBytes: 9_000 },
      ConnectionClosedError,
    );
    assertMatch(error.message, /it is 9\.77 KiB, over the --max-size/);
    assertEquals(await listDir(dir), [part]);
  });
});

Deno.test("the client program goes on with get -c from the part kept, one-shot", async () => {
  const body = pattern(300_000, 13);
  await using t = await startServer({ files: { "big.bin": body } });
  const version = await versionOf(`${t.filesDir}/big.bin`);
  await withTempDir(async (cwd) => {
    await Deno.mkdir(`${cwd}/downloads`);
    await Deno.writeFile(
      `${cwd}/downloads/${keptName("big.bin", nameTag("big.bin"), version)}`,
      body.subarray(0, 123_456),
    );
    const command = await programCommand(
      "client",
      ["--port", String(t.port), "get", "-c", "big.bin"],
      { cwd },
    );
    const { code, stderr } = await within(command.output(), "the client");
    const said = decoder.decode(stderr);
    assertEquals(code, 0, said);
    assertMatch(
      said,
      /^Continuing big\.bin after the 121 KiB kept in \S*big\.bin\.[0-9a-f]{8}\.[0-9a-f]+\.ackline-part\nSaved big\.bin \(293 KiB, 121 KiB of it kept\) in .*, SHA-256 verified\n$/,
    );
    assertEquals(await Deno.readFile(`${cwd}/downloads/big.bin`), body);
    assertEquals(await listDir(`${cwd}/downloads`), ["big.bin"]);
    await t.waitForLog("DOWNLOAD", "got the rest of big.bin from byte 123456");
  });
});
