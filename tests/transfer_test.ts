import { assertEquals, assertRejects } from "@std/assert";
import {
  DigestCache,
  PARALLEL_HASH_BYTES,
  ShortFileError,
  streamFile,
} from "../lib/transfer.ts";
import { sha256Hex } from "./helpers.ts";
import { fillRandom } from "../lib/random.ts";

async function withFile(
  bytes: Uint8Array,
  fn: (path: string) => Promise<void>,
) {
  const path = await Deno.makeTempFile({ prefix: "ackline-transfer-" });
  await Deno.writeFile(path, bytes);
  try {
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("streamFile sends exactly the bytes with their SHA-256, in chunks", async () => {
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 255);
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    const chunks: Uint8Array[] = [];
    const digest = await streamFile(file, bytes.length, (chunk) => {
      chunks.push(chunk.slice());
      return Promise.resolve();
    }, { chunkBytes: 4096 });
    assertEquals(chunks.map((c) => c.length), [4096, 4096, 1808]);
    assertEquals(new Uint8Array(chunks.flatMap((c) => [...c])), bytes);
    assertEquals(digest, await sha256Hex(bytes));
  });
});

Deno.test("streamFile handles an empty file and can skip hashing", async () => {
  await withFile(new Uint8Array(), async (path) => {
    using file = await Deno.open(path);
    assertEquals(
      await streamFile(file, 0, () => Promise.resolve()),
      await sha256Hex(new Uint8Array()),
    );
    assertEquals(
      await streamFile(file, 0, () => Promise.resolve(), { hash: false }),
      null,
    );
  });
});

Deno.test("streamFile fails when the file is shorter than promised", async () => {
  await withFile(new Uint8Array(100), async (path) => {
    using file = await Deno.open(path);
    await assertRejects(
      () => streamFile(file, 150, () => Promise.resolve()),
      ShortFileError,
      "50 bytes early",
    );
  });
});

Deno.test("streamFile stops when its signal aborts and leaves no read behind", async () => {
  await withFile(new Uint8Array(100_000), async (path) => {
    using file = await Deno.open(path);
    const controller = new AbortController();
    let chunks = 0;
    await assertRejects(
      () =>
        streamFile(file, 100_000, () => {
          if (++chunks === 2) controller.abort(new Error("stop"));
          return Promise.resolve();
        }, { chunkBytes: 10_000, signal: controller.signal }),
      Error,
      "stop",
    );
    assertEquals(chunks, 2);
  });
});

Deno.test("DigestCache answers only for the same version of a file", async () => {
  await withFile(new Uint8Array(10), async (path) => {
    const cache = new DigestCache(2);
    const info = await Deno.stat(path);
    cache.set(path, info, "d1");
    assertEquals(cache.get(path, info), "d1");
    await Deno.writeFile(path, new Uint8Array(11));
    assertEquals(cache.get(path, await Deno.stat(path)), null);
    cache.set("b", info, "d2");
    cache.set("c", info, "d3");
    assertEquals(cache.get(path, info), null); // evicted, oldest first
    assertEquals(cache.get("c", info), "d3");
  });
});

Deno.test("streamFile hashes a large file on a second thread, same digest", async () => {
  const bytes = fillRandom(new Uint8Array(PARALLEL_HASH_BYTES + 12345));
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    let received = 0;
    const digest = await streamFile(file, bytes.length, (chunk) => {
      received += chunk.length;
      return Promise.resolve();
    });
    assertEquals(received, bytes.length);
    assertEquals(digest, await sha256Hex(bytes));
  });
});
