/**
 * The benchmark's references and load are only fair if they do what it
 * says: the Node reference answers every line as ackline does (echo, the
 * UTF-8 check, the request words) and ends a download with its SHA-256;
 * the open-loop load gets a reply for every line it offers. Each test is
 * ignored, with the reason, where `node` or a C compiler is missing.
 *
 * @module
 */

import { nodeReference, REFERENCE_LISTENING } from "../bench/references.ts";
import { COMMANDS, REQUEST_NAMES } from "../lib/wire/mod.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { sha256Hex } from "./support/files.ts";
import {
  cannotRun,
  type RunningServer,
  spawnServer,
} from "../tools/programs.ts";
import { fillRandom } from "../tools/random.ts";
import { RawClient } from "./support/raw_client.ts";
import { startServer } from "./support/test_server.ts";
import { within } from "../tools/wait.ts";

const BENCH = new URL("../bench/", import.meta.url).pathname;

/** Starts the Node reference serving `dir`. */
function startNodeReference(dir: string): Promise<RunningServer> {
  return spawnServer(
    nodeReference("reference_node.mjs", dir),
    REFERENCE_LISTENING,
  );
}

const noNode = await cannotRun("node", ["--version"]);
const noCompiler = await cannotRun("cc", ["--version"]);

/**
 * The first `count` replies to `lines` sent at once, each character a byte
 * (so `\xff` is the byte 0xff, not UTF-8), as `<code> <lines>`.
 */
async function answers(
  client: RawClient,
  lines: string,
  count: number,
): Promise<string[]> {
  await client.write(Uint8Array.from(lines, (c) => c.charCodeAt(0)));
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const reply = await client.reply();
    seen.push(`${reply.code} ${reply.lines.join(" / ")}`);
  }
  return seen;
}

Deno.test({
  name: `the Node reference answers lines as ackline does${
    noNode ? ` (ignored: ${noNode})` : ""
  }`,
  ignore: noNode !== null,
  async fn() {
    // Lines that start as a request does and are none, for every request
    // of the table, then a line end of each kind and one that is no UTF-8.
    const lookalikes = REQUEST_NAMES.map((word) =>
      COMMANDS[word].args.form === "none" ? `${word} now` : `${word}x`
    );
    const lines = [...lookalikes, "hello world\r", "abc\xff"]
      .map((line) => line + "\n").join("");
    const count = lookalikes.length + 2;
    const ackline = await (async () => {
      await using t = await startServer();
      const { client } = await RawClient.greeted(t.port);
      using _ = client;
      return await answers(client, lines, count);
    })();
    const dir = await Deno.makeTempDir({ prefix: "ackline-bench-test-" });
    try {
      await using node = await startNodeReference(dir);
      const { client } = await RawClient.greeted(node.port);
      using _ = client;
      assertEquals(await answers(client, lines, count), ackline);
      assertEquals(ackline, [
        ...lookalikes.map((line) => `250 ${line}ACK`),
        "250 hello worldACK",
        "500 Line is not valid UTF-8; it was ignored",
      ]);
      // And the requests themselves are not echoed (a download and exit
      // have tests of their own).
      for (const word of REQUEST_NAMES) {
        if (word === "get" || word === "exit") continue;
        const line = word === "hello" ? "hello Client01 bench/1" : word;
        const reply = await client.request(line);
        assert(reply.code !== 250, `${line}: ${JSON.stringify(reply)}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `the Node reference ends a download with its SHA-256, first and again${
    noNode ? ` (ignored: ${noNode})` : ""
  }`,
  ignore: noNode !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ackline-bench-test-" });
    try {
      const content = fillRandom(new Uint8Array(3 << 20));
      await Deno.writeFile(`${dir}/data.bin`, content);
      await using node = await startNodeReference(dir);
      const { client } = await RawClient.greeted(node.port);
      using _ = client;
      for (let i = 0; i < 2; i++) {
        assertEquals((await client.request("get data.bin")).code, 150);
        assertEquals(await client.payload(), content);
        assertEquals((await client.reply()).lines, [
          `SHA-256 ${sha256Hex(content)}`,
        ]);
      }
      // Lines sent behind a download are answered after it.
      assertEquals(await answers(client, "get data.bin\nafter\n", 1), [
        `150 ${content.length} data.bin`,
      ]);
      await client.payload();
      await client.reply();
      assertEquals((await client.reply()).lines, ["afterACK"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `the open-loop load gets a reply for every line it offers${
    noCompiler ? ` (ignored: ${noCompiler})` : ""
  }`,
  ignore: noCompiler !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ackline-bench-test-" });
    try {
      const binary = `${dir}/open_loop`;
      const built = await new Deno.Command("cc", {
        args: ["-O2", "-o", binary, `${BENCH}open_loop.c`],
      }).output();
      assert(built.success, new TextDecoder().decode(built.stderr));
      await using t = await startServer();
      // 2,000 lines a second over 3 connections for half a second.
      const run = await within(
        new Deno.Command(binary, {
          args: [String(t.port), "3", "2000", "0.5"],
        }).output(),
        "the open-loop load to end",
      );
      assert(run.success, new TextDecoder().decode(run.stderr));
      const [sent, received, p50Us, p99Us, maxUs] = new TextDecoder()
        .decode(run.stdout).trim().split(" ").map(Number);
      assertEquals([sent, received], [1000, 1000]);
      assert(0 < p50Us && p50Us <= p99Us && p99Us <= maxUs, `${run.stdout}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the bare Deno reference greets and echoes each line, however the lines are cut", async () => {
  const server = await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `${BENCH}reference_deno_bare.ts`,
      ],
      stdout: "piped",
      stderr: "piped",
    }),
    /Listening on port (\d+)/,
  );
  try {
    const { client, name } = await RawClient.greeted(server.port);
    using _ = client;
    assertEquals(name, "Client1");
    // A line longer than one read, and two in one write.
    const long = "x".repeat(1500);
    assertEquals(await answers(client, `${long}\nhello\nworld\n`, 3), [
      `250 ${long}ACK`,
      "250 helloACK",
      "250 worldACK",
    ]);
  } finally {
    await server.stop();
  }
});

Deno.test("the benchmark's HTTP file server sends a file whole and nothing outside its folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ackline-http-" });
  const body = fillRandom(new Uint8Array(300_000));
  await Deno.writeFile(`${dir}/a.bin`, body);
  const server = await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `--allow-read=${dir}`,
        `${BENCH}http_files.ts`,
        dir,
      ],
      stdout: "piped",
      stderr: "piped",
    }),
    /Listening on port (\d+)/,
  );
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const got = await within(fetch(`${base}/a.bin`), "the file");
    assertEquals(got.headers.get("content-length"), String(body.length));
    assertEquals(new Uint8Array(await got.arrayBuffer()), body);
    for (const path of ["/", "/missing.bin", "/..%2Fetc%2Fpasswd"]) {
      const refused = await within(fetch(`${base}${path}`), path);
      assertEquals(refused.status, 404, path);
      await refused.body?.cancel();
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
