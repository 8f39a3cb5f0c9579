import {
  CHUNK_BYTES,
  PARALLEL_HASH_BYTES,
  POOL_LIMIT,
  pooledBuffers,
  ShortFileError,
  streamFile,
} from "../../lib/server/transfer.ts";
import {
  HashThreads,
  MAX_HASH_THREADS,
} from "../../lib/server/hash_threads.ts";
import { TIMINGS } from "../../lib/server/config.ts";
import { ManualClock } from "../support/clock.ts";
import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { sha256Hex } from "../support/files.ts";
import { fillRandom } from "../../tools/random.ts";
import { countingWorkers, withFakeWorker } from "../support/workers.ts";
import { within } from "../../tools/wait.ts";

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

/** A server's pool of hashing threads, whose idle ones end only when told. */
function hashThreads(): HashThreads {
  return new HashThreads({
    max: MAX_HASH_THREADS,
    idleMs: TIMINGS.hashThreadIdleMs,
    clock: new ManualClock(),
  });
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
    const chunks: number[] = [];
    const sink = (chunk: Uint8Array) => {
      chunks.push(chunk.length);
      return Promise.resolve();
    };
    assertEquals(await streamFile(file, 0, sink), sha256Hex(new Uint8Array()));
    assertEquals(await streamFile(file, 0, sink, { hash: false }), null);
    assertEquals(chunks, [], "nothing to send, no chunk");
  });
  await withFile(new Uint8Array([42]), async (path) => {
    using file = await Deno.open(path);
    const chunks: Uint8Array[] = [];
    const digest = await streamFile(file, 1, (chunk) => {
      chunks.push(chunk.slice());
      return Promise.resolve();
    });
    assertEquals(chunks, [new Uint8Array([42])]);
    assertEquals(digest, sha256Hex(new Uint8Array([42])));
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
    using threads = hashThreads();
    let received = 0;
    const { result: digest, started } = await countingWorkers(() =>
      within(
        streamFile(file, bytes.length, (chunk) => {
          received += chunk.length;
          return Promise.resolve();
        }, { threads }),
        "the transfer to end",
      )
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
    using threads = hashThreads();
    const small = await countingWorkers(() =>
      streamFile(file, bytes.length, () => Promise.resolve(), { threads })
    );
    assertEquals(small.started, 0);
    assertEquals(small.result, sha256Hex(bytes));
  });
  const large = new Uint8Array(PARALLEL_HASH_BYTES);
  await withFile(large, async (path) => {
    using file = await Deno.open(path);
    using threads = hashThreads();
    const unhashed = await countingWorkers(() =>
      streamFile(file, large.length, () => Promise.resolve(), {
        hash: false,
        threads,
      })
    );
    assertEquals(unhashed.started, 0);
    assertEquals(unhashed.result, null);
  });
});

Deno.test("transfers reuse their buffers, and keep no more than the pool's limit", async () => {
  const transfers = POOL_LIMIT; // two buffers each: twice what may be kept
  const bytes = new Uint8Array(3 * CHUNK_BYTES);
  await withFile(bytes, async (path) => {
    const files = await Promise.all(
      Array.from({ length: transfers }, () => Deno.open(path)),
    );
    try {
      // Every transfer holds its buffers until all of them have started.
      const started = Promise.withResolvers<void>();
      let waiting = transfers;
      await Promise.all(
        files.map((file) =>
          streamFile(file, bytes.length, async () => {
            if (--waiting === 0) started.resolve();
            await started.promise;
          })
        ),
      );
      assertEquals(pooledBuffers(), POOL_LIMIT);
      assertEquals(POOL_LIMIT, 2);
    } finally {
      for (const file of files) file.close();
    }
  });
});

/** A hashing thread that hands buffers back, then fails when asked for the digest. */
class FailsAtDigest {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(
    data: { buffer: ArrayBuffer } | { keep: ArrayBuffer[] } | "lend" | null,
  ): void {
    setTimeout(() => {
      if (data === "lend") {
        this.onmessage?.(new MessageEvent("message", { data: { lent: [] } }));
      } else if (data !== null && "keep" in data) {
        // Kept for the next download; none follows here.
      } else if (data === null) {
        this.onerror?.(
          new ErrorEvent("error", {
            message: "out of memory",
            cancelable: true,
          }),
        );
      } else {
        this.onmessage?.(new MessageEvent("message", { data: data.buffer }));
      }
    }, 0);
  }
  terminate(): void {}
}

/** A hashing thread that fails at once, before it lends anything. */
class FailsAtOnce {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(): void {
    setTimeout(() =>
      this.onerror?.(
        new ErrorEvent("error", { message: "cannot start", cancelable: true }),
      ), 0);
  }
  terminate(): void {}
}

/**
 * A hashing thread that hashes for real and records the buffers it was
 * given to hash and those it was given to keep. It runs on this thread,
 * so a buffer stays the same object both ways.
 */
class Recording {
  static hashed = new Set<ArrayBuffer>();
  static kept = new Set<ArrayBuffer>();
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  #hash = createHash("sha256");
  postMessage(
    data:
      | { buffer: ArrayBuffer; length: number }
      | { keep: ArrayBuffer[] }
      | "lend"
      | null,
  ): void {
    const answer = (data: unknown) =>
      setTimeout(() => this.onmessage?.(new MessageEvent("message", { data })));
    if (data === "lend") answer({ lent: [] });
    else if (data === null) answer(this.#hash.digest("hex"));
    else if ("keep" in data) {
      for (const b of data.keep) {
        Recording.kept.add(b);
      }
    } else {
      Recording.hashed.add(data.buffer);
      this.#hash.update(new Uint8Array(data.buffer, 0, data.length));
      answer(data.buffer);
    }
  }
  terminate(): void {}
}

Deno.test("every buffer of a threaded transfer goes back to its thread at the end", async () => {
  const bytes = fillRandom(new Uint8Array(PARALLEL_HASH_BYTES));
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    using threads = hashThreads();
    const digest = await withFakeWorker(Recording, () =>
      within(
        streamFile(file, bytes.length, () => Promise.resolve(), { threads }),
        "the transfer to end",
      ));
    assertEquals(digest, sha256Hex(bytes));
    // Some came back from hashing after the digest was asked for, some
    // were waiting here for a next chunk that never came: all are kept.
    assert(Recording.hashed.size >= 2);
    assertEquals(Recording.kept, Recording.hashed);
  });
});

/**
 * Runs a threaded transfer with `Fake` as its hashing thread: it must fail
 * with `message`, and the thread must be ended, not kept for the next.
 */
async function assertThreadFailure(
  Fake: new (url: string | URL, options?: WorkerOptions) => unknown,
  message: string,
): Promise<void> {
  const bytes = new Uint8Array(PARALLEL_HASH_BYTES);
  await withFile(bytes, async (path) => {
    using file = await Deno.open(path);
    using threads = hashThreads();
    await withFakeWorker(Fake, async () => {
      await assertRejects(
        () =>
          within(
            streamFile(file, bytes.length, () => Promise.resolve(), {
              threads,
            }),
            "the transfer to end",
          ),
        Error,
        message,
      );
    });
    assertEquals(threads.alive, 0);
  });
}

Deno.test("a hashing thread that fails before it starts fails the transfer", async () => {
  await assertThreadFailure(FailsAtOnce, "Hashing failed: cannot start");
});

Deno.test("a hashing thread that fails fails the transfer, not the server", async () => {
  await assertThreadFailure(FailsAtDigest, "Hashing failed: out of memory");
});

Deno.test("hashing threads are a small pool: bounded, reused, ended when idle or cut", async () => {
  const bytes = fillRandom(new Uint8Array(PARALLEL_HASH_BYTES));
  const digest = sha256Hex(bytes);
  await withFile(bytes, async (path) => {
    const clock = new ManualClock();
    using threads = new HashThreads({ max: 2, idleMs: 50, clock });
    const transfer = async (sink = () => Promise.resolve()) => {
      using file = await Deno.open(path);
      return await within(
        streamFile(file, bytes.length, sink, { threads }),
        "the transfer to end",
      );
    };
    // Three at once, each holding on until all three have started: two
    // threads, and the third download hashes on this thread.
    const started = Promise.withResolvers<void>();
    let waiting = 3;
    const hold = async () => {
      if (--waiting === 0) started.resolve();
      await started.promise;
    };
    const three = await countingWorkers(() =>
      Promise.all([transfer(hold), transfer(hold), transfer(hold)])
    );
    assertEquals(three.started, 2);
    assertEquals(three.result, [digest, digest, digest]);
    assertEquals(threads.alive, 2);
    // One after another: the idle thread is reused.
    const again = await countingWorkers(async () => [
      await transfer(),
      await transfer(),
    ]);
    assertEquals(again, { ...again, started: 0, result: [digest, digest] });
    // Idle for a while, both end, and not before.
    await clock.advance(49);
    assertEquals(threads.alive, 2);
    const idle = await countingWorkers(async () => {
      await clock.advance(1);
      await within(threads.noneAlive(), "the idle threads to end");
    });
    assertEquals([again.terminated, idle.terminated], [0, 2]);
    assertEquals(threads.alive, 0);
    // A download cut mid-way ends its thread instead of keeping it.
    const cut = await countingWorkers(() =>
      assertRejects(() =>
        transfer(() => Promise.reject(new Error("client went away")))
      )
    );
    assertEquals([cut.started, cut.terminated], [1, 1]);
    assertEquals(threads.alive, 0);
  });
});
