import { writeAll } from "../lib/common/mod.ts";
import { escapeName } from "../lib/wire/mod.ts";
import {
  CHUNK_BYTES,
  HASH_BACKLOG,
  PARALLEL_HASH_BYTES,
} from "../lib/server/transfer.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { fileSha256, sha256Hex } from "./support/files.ts";
import { fillRandom } from "../tools/random.ts";
import { RawClient } from "./support/raw_client.ts";
import { closeSession, openSession } from "./support/sessions.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";
import { countingWorkers } from "./support/workers.ts";

const decoder = new TextDecoder();

const ALL_BYTES = new Uint8Array(256 * 4).map((_, i) => i & 255);

Deno.test("list shows each file with size and time, and says when empty", async () => {
  await using t = await startServer({
    files: { "b.txt": "hello", "a.bin": ALL_BYTES },
  });
  await Deno.mkdir(`${t.filesDir}/folder`);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const reply = await client.request("list");
  assertEquals(reply.code, 212);
  assertEquals(reply.lines.length, 3);
  assertMatch(
    reply.lines[0],
    /^a\.bin {2}1 KiB {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/,
  );
  assertMatch(reply.lines[1], /^b\.txt {4}5 B {2}\d{4}-/);
  assertEquals(
    reply.lines[2],
    "2 files, 1 KiB; download one with: get <name>",
  );

  await using empty = await startServer();
  const other = await RawClient.greeted(empty.port);
  using _o = other.client;
  assertEquals(await other.client.request("list"), {
    code: 212,
    lines: ["No files to offer: the folder is empty"],
  });
});

Deno.test("list says why it cannot list, naming no path, and the connection stays", async () => {
  await using t = await startServer({ files: { "a.txt": "a" } });
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  await Deno.remove(t.filesDir, { recursive: true });
  assertEquals(await client.request("list"), {
    code: 451,
    lines: ["Cannot list the files: it does not exist"],
  });
  await t.waitForLog("ERROR", "list failed: it does not exist");
  assertEquals(await client.request("still here"), {
    code: 250,
    lines: ["still hereACK"],
  });
  await Deno.mkdir(t.filesDir); // for the server's cleanup
});

Deno.test("get sends header, exact raw bytes and a SHA-256 trailer", async (t) => {
  await using s = await startServer({
    files: {
      "text.txt": "héllo\nwörld\r\n",
      "all-bytes.bin": ALL_BYTES,
      "empty": "",
    },
  });
  const { client } = await RawClient.greeted(s.port);
  using _ = client;
  for (const name of ["text.txt", "all-bytes.bin", "empty"]) {
    await t.step(name, async () => {
      const expected = await Deno.readFile(`${s.filesDir}/${name}`);
      // The request after get arrives in the same write: it must wait its turn.
      await client.write(`get ${name}\nafter\n`);
      assertEquals(await client.reply(), {
        code: 150,
        lines: [`${expected.length} ${name}`],
      });
      const bytes = await client.payload(expected.length);
      assertEquals(bytes, expected);
      assertEquals(await client.reply(), {
        code: 226,
        lines: [`SHA-256 ${sha256Hex(expected)}`],
      });
      assertEquals(await client.reply(), { code: 250, lines: ["afterACK"] });
    });
  }
  await t.step(
    "a second download of the same file (digest from cache)",
    async () => {
      await client.send("get all-bytes.bin");
      await client.reply();
      await client.payload(ALL_BYTES.length);
      assertEquals((await client.reply()).lines, [
        `SHA-256 ${sha256Hex(ALL_BYTES)}`,
      ]);
    },
  );
  await t.step("a changed file gets a new digest", async () => {
    await Deno.writeFile(`${s.filesDir}/all-bytes.bin`, ALL_BYTES.subarray(1));
    await client.send("get all-bytes.bin");
    await client.reply();
    await client.payload(ALL_BYTES.length - 1);
    assertEquals((await client.reply()).lines, [
      `SHA-256 ${sha256Hex(ALL_BYTES.subarray(1))}`,
    ]);
  });
});

Deno.test("a repeat download of an unchanged file is not hashed again", async () => {
  const content = fillRandom(new Uint8Array(PARALLEL_HASH_BYTES));
  await using t = await startServer({ files: { "big.bin": content } });
  // Settled: changed long enough ago for its digest to be remembered.
  const settled = new Date(Date.now() - 60_000);
  await Deno.utime(`${t.filesDir}/big.bin`, settled, settled);
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  // A file this large is hashed on a thread of its own, so a download
  // that hashes posts its chunks to one, and one that takes the digest
  // from the cache posts nothing.
  async function download() {
    await client.send("get big.bin");
    assertEquals((await client.reply()).code, 150);
    assertEquals(await client.payload(), content);
    return (await client.reply()).lines[0];
  }
  const chunks = Math.ceil(content.length / CHUNK_BYTES);
  const first = await countingWorkers(download);
  assertEquals(first.result, `SHA-256 ${sha256Hex(content)}`);
  assertEquals(first.messages, chunks + 1); // and one asking for the digest
  // Every buffer of the transfer (the one read, the one sent, and those
  // being hashed) goes back to the thread to keep: none is left for the
  // server's collector, and all are freed when the thread ends.
  assert(first.kept >= 2 && first.kept <= HASH_BACKLOG + 1, `${first.kept}`);
  const again = await countingWorkers(download);
  assertEquals(again.result, `SHA-256 ${sha256Hex(content)}`);
  assertEquals(again.messages, 0);
  content[0] ^= 1;
  await Deno.writeFile(`${t.filesDir}/big.bin`, content);
  const changed = await countingWorkers(download);
  assertEquals(changed.result, `SHA-256 ${sha256Hex(content)}`);
  // The thread of the first download hashed this one too.
  assertEquals(changed, { ...changed, started: 0, messages: chunks + 1 });
});

Deno.test("a trailer always matches the bytes sent, while the file is rewritten in place", async () => {
  const size = 4096;
  const versions = [1, 2, 3].map((n) => new Uint8Array(size).fill(n));
  await using t = await startServer({ files: { "racy.bin": versions[0] } });
  const path = `${t.filesDir}/racy.bin`;
  let rewriting = true;
  const rewrites = (async () => {
    // Same size, other bytes, as fast as the file system allows: many land
    // in the same millisecond as the download before them.
    for (let i = 0; rewriting; i++) {
      using file = await Deno.open(path, { write: true });
      await file.write(versions[i % 3]);
    }
  })();
  let checked = 0;
  let cut = 0;
  try {
    for (let i = 0; i < 500; i++) {
      const { client } = await RawClient.greeted(t.port);
      using _ = client;
      const header = await client.request("get racy.bin");
      assertEquals(header.code, 150);
      const bytes = await client.payload().catch(() => null);
      const trailer = bytes && await client.reply().catch(() => null);
      if (!trailer) {
        cut++; // the server may cut a transfer it cannot vouch for
        continue;
      }
      assertEquals(
        trailer.lines[0],
        `SHA-256 ${sha256Hex(bytes)}`,
        `download ${i}`,
      );
      checked++;
    }
  } finally {
    rewriting = false;
    await within(rewrites, "the rewrites to stop");
  }
  assert(checked > cut, `${checked} checked, ${cut} cut`);
});

Deno.test("get refuses every unsafe name and the connection stays usable", async () => {
  const base = await Deno.makeTempDir({ prefix: "ackline-unsafe-" });
  try {
    await Deno.mkdir(`${base}/files/dir`, { recursive: true });
    await Deno.writeTextFile(`${base}/secret.txt`, "SECRET");
    await Deno.symlink(`${base}/secret.txt`, `${base}/files/link-out`);
    await Deno.symlink("/dev/zero", `${base}/files/zero`);
    await using t = await startServer({ filesDir: `${base}/files` });
    const { client } = await RawClient.greeted(t.port);
    using _ = client;
    const names = [
      "missing.txt",
      "dir",
      "..",
      "../secret.txt",
      `${base}/secret.txt`,
      "/etc/passwd",
      "link-out",
      "zero",
      "dir/../../secret.txt",
    ];
    for (const name of names) {
      const reply = await client.request(`get ${name}`);
      assertEquals(reply.code, 550, name);
      assert(!reply.lines.join("").includes("SECRET"));
      assertEquals(await client.request("still here"), {
        code: 250,
        lines: ["still hereACK"],
      });
    }
    assertEquals(await client.request("get"), {
      code: 501,
      lines: ["Usage: get <name> (names come from 'list')"],
    });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("every listed name can be fetched by exactly what list shows", async () => {
  // Names that list once showed but get could not fetch, or the reverse.
  const names = [
    " leading space",
    "trailing space ",
    "\ufeffbom.txt",
    "ends in cr\r",
    "back\\slash",
    "esc\x1b[31mred",
    "tab\there",
    "new\nline",
    "invoice\u202efdp.exe",
    "plain.txt",
  ];
  const files: Record<string, string> = {};
  for (const [i, name] of names.entries()) files[name] = `content ${i}`;
  await using t = await startServer({ files });
  // A name that is not UTF-8 cannot be asked for: it is not listed.
  const made = await new Deno.Command("python3", {
    args: [
      "-c",
      "import sys; open(sys.argv[1].encode() + b'/\\xff\\xfe.bin', 'wb').close()",
      t.filesDir,
    ],
  }).output();
  assert(made.success, "could not make a file whose name is not UTF-8");
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const list = await client.request("list");
  assertEquals(list.code, 212);
  const rows = list.lines.slice(0, -1);
  assertEquals(rows.length, names.length);
  assertMatch(list.lines.at(-1)!, /; 1 file not shown: its name is not UTF-8$/);
  for (const [i, name] of names.entries()) {
    const shown = escapeName(name);
    const row = rows.find((row) => row.startsWith(shown + "  "));
    assert(row !== undefined, `${shown} is not listed: ${rows.join(" | ")}`);
    const reply = await client.request(`get ${shown}`);
    assertEquals(reply, {
      code: 150,
      lines: [`${files[name].length} ${shown}`],
    }, shown);
    assertEquals(decoder.decode(await client.payload()), `content ${i}`);
    assertEquals((await client.reply()).code, 226);
  }
  // Raw names with what get trims, or a backslash that starts no escape,
  // are not names; a name longer than any file system stores is missing.
  assertEquals((await client.request("get back\\q")).code, 550);
  assertEquals(await client.request(`get ${"x".repeat(300)}`), {
    code: 550,
    lines: [`No such file: ${"x".repeat(300)}`],
  });
});

Deno.test("a large download streams intact beside other clients' traffic", async () => {
  const size = 160 * 1024 * 1024 + 12345; // well past 100 MB
  const filesDir = await Deno.makeTempDir({ prefix: "ackline-large-" });
  const downloads = await Deno.makeTempDir({ prefix: "ackline-large-dl-" });
  try {
    {
      using file = await Deno.create(`${filesDir}/large.bin`);
      const chunk = new Uint8Array(1 << 20);
      for (let written = 0; written < size; written += chunk.length) {
        fillRandom(chunk.subarray(0, 65536));
        await writeAll(
          file,
          chunk.subarray(0, Math.min(chunk.length, size - written)),
        );
      }
    }
    await using t = await startServer({ filesDir, maxClients: 2 });
    const session = await openSession(t.port);
    const { client: other } = await RawClient.greeted(t.port);
    using _ = other;
    let echoes = 0;
    let downloading = true;
    const transfer = session.download("large.bin", { dir: downloads }).finally(
      () => {
        downloading = false;
      },
    );
    // Echo and status keep answering while the transfer runs.
    while (downloading && echoes < 10_000) {
      assertEquals(await other.request(`ping ${echoes}`), {
        code: 250,
        lines: [`ping ${echoes}ACK`],
      });
      echoes++;
    }
    assertEquals((await other.request("status")).code, 211);
    const result = await within(transfer, "the large download", 120_000);
    assertEquals(result.size, size);
    assertEquals(result.sha256, await fileSha256(`${filesDir}/large.bin`));
    assertEquals(await fileSha256(result.path), result.sha256);
    assert(echoes > 0, "no echo was answered during the transfer");
    await closeSession(session);
  } finally {
    await Deno.remove(filesDir, { recursive: true });
    await Deno.remove(downloads, { recursive: true });
  }
});

Deno.test("a slow reader makes the server wait, and still gets every byte", async () => {
  const size = 32 * 1024 * 1024;
  const content = fillRandom(new Uint8Array(size));
  await using t = await startServer({ files: { "slow.bin": content } });
  const { client, name } = await RawClient.greeted(t.port);
  using _ = client;
  await client.send("get slow.bin");
  assertEquals((await client.reply()).code, 150);
  // Read a little, then check the server is still waiting on this client:
  // it has not finished the transfer, and it answers others meanwhile.
  await client.payload(1024);
  const { client: other } = await RawClient.greeted(t.port);
  using _o = other;
  assertEquals((await other.request("status")).code, 211);
  assert(
    !t.logs.some((e) => e.kind === "DOWNLOAD"),
    "the server finished without the reader",
  );
  const rest = await client.payload(size - 1024);
  assertEquals(rest, content.subarray(1024));
  assertEquals((await client.reply()).code, 226);
  await t.waitForLog("DOWNLOAD", `${name} got slow.bin`);
});

Deno.test("a client that vanishes mid-transfer frees its slot", async () => {
  await using t = await startServer({
    maxClients: 1,
    files: { "big.bin": new Uint8Array(32 * 1024 * 1024) },
  });
  const { client, name } = await RawClient.greeted(t.port);
  await client.send("get big.bin");
  await client.reply();
  await client.payload(100_000);
  client.close();
  await t.disconnected(name);
  const next = await RawClient.greeted(t.port);
  using _ = next.client;
  assertEquals(next.name, "Client02");
  assertEquals(await next.client.request("hi"), {
    code: 250,
    lines: ["hiACK"],
  });
});

Deno.test("a download the client cuts is logged with how much was sent", async () => {
  await using t = await startServer({
    files: { "big.bin": { zeros: 48 << 20 } },
  });
  const { client } = await RawClient.greeted(t.port);
  await client.send("get big.bin");
  assertEquals((await client.reply()).code, 150);
  client.close(); // in the middle of the bytes
  const cut = await t.waitForLog("DOWNLOAD", "did not get");
  assertMatch(
    cut.message,
    /^Client01 did not get big\.bin: cut after \d[\d.]* (?:[KM]i)?B of 48 MiB in \d[\d.]* m?s$/,
  );
  await t.disconnected("Client01");
  assert(!t.logs.some((entry) => entry.message.includes("got big.bin")));
});

Deno.test("a FIFO swapped in for a served file wedges neither a client nor shutdown", async () => {
  await using t = await startServer({
    files: { "data.bin": new Uint8Array(4096) },
    timings: { openTimeoutMs: 100 },
  });
  const files = t.filesDir;
  const made = await new Deno.Command("mkfifo", { args: [`${files}/fifo`] })
    .output();
  if (!made.success) throw new Error("mkfifo failed");
  // Swap the file and the FIFO back and forth while a client fetches it.
  let swapping = true;
  const swapper = (async () => {
    while (swapping) {
      await Deno.rename(`${files}/data.bin`, `${files}/held`);
      await Deno.rename(`${files}/fifo`, `${files}/data.bin`);
      await Deno.rename(`${files}/data.bin`, `${files}/fifo`);
      await Deno.rename(`${files}/held`, `${files}/data.bin`);
    }
  })();
  const { client } = await RawClient.greeted(t.port);
  using _ = client;
  const codes = new Map<number, number>();
  try {
    // Until the FIFO wins the race once (each win costs the open's time
    // limit), or a bounded number of tries.
    for (let i = 0; i < 300 && !codes.has(451); i++) {
      const reply = await client.request("get data.bin");
      if (reply.code === 150) {
        await client.payload();
        await client.reply();
      }
      codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
    }
  } finally {
    swapping = false;
    await swapper;
  }
  // Every get was answered, and the connection still serves.
  assert(codes.size > 0);
  assertEquals((await client.request("still here")).code, 250);
  if (codes.has(451)) {
    // The open given up on lets go once a writer comes, and has ended when
    // the pipe has no reader left: writes then fail.
    using writer = await Deno.open(`${files}/fifo`, { write: true });
    const readerGone = async () => {
      for (;;) {
        try {
          await writer.write(new Uint8Array(1));
        } catch (error) {
          if (error instanceof Deno.errors.BrokenPipe) return;
          throw error;
        }
      }
    };
    await within(readerGone(), "the given-up open to end");
  }
  const shutdown = t.server.shutdown();
  assertEquals((await client.reply()).code, 421);
  client.close();
  await within(shutdown, "the server to shut down");
});
