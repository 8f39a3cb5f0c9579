import {
  PARALLEL_HASH_BYTES,
  ShortFileError,
  streamFile,
} from "../../lib/server/transfer.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { sha256Hex } from "../support/files.ts";
import { fillRandom } from "../support/random.ts";
import { countingWorkers } from "../support/workers.ts";

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
    assertEquals(digest, sha256Hex(bytes));
  });
});

Deno.test("streamFile handles an empty file and can skip hashing", async () => {
  await withFile(new Uint8Array(), async (path) => {
    using file = await Deno.open(path);
    assertEquals(
      await streamFile(file, 0, () => Promise.resolve()),
      sha256Hex(new Uint8Array()),
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

Deno.test("streamFile hashes a large file on a second thread, same digest", async () => {
  const bytes = fillRandom(new Uint8Array(PARALLEL_HASH_BYTES + 12345));
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    let received = 0;
    const { result: digest, started } = await countingWorkers(() =>
      streamFile(file, bytes.length, (chunk) => {
        received += chunk.length;
        return Promise.resolve();
      })
    );
    assertEquals(started, 1, "one hashing thread");
    assertEquals(received, bytes.length);
    assertEquals(digest, sha256Hex(bytes));
  });
});

Deno.test("streamFile hashes a file below the threshold, or an unhashed one, on this thread", async () => {
  const bytes = new Uint8Array(PARALLEL_HASH_BYTES - 1);
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    const small = await countingWorkers(() =>
      streamFile(file, bytes.length, () => Promise.resolve())
    );
    assertEquals(small.started, 0);
    assertEquals(small.result, sha256Hex(bytes));
  });
  const large = new Uint8Array(PARALLEL_HASH_BYTES);
  await withFile(large, async (path) => {
    using file = await Deno.open(path);
    const unhashed = await countingWorkers(() =>
      streamFile(file, large.length, () => Promise.resolve(), { hash: false })
    );
    assertEquals(unhashed.started, 0);
    assertEquals(unhashed.result, null);
  });
});
