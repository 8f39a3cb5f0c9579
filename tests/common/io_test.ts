import {
  type SyncWriter,
  writeAll,
  writeAllSync,
  type Writer,
} from "../../lib/common/io.ts";
import {
  assertEquals,
  assertRejects,
  assertThrows,
} from "../support/assert.ts";

Deno.test("writeAll loops over partial writes until every byte is out", async () => {
  const received: number[] = [];
  const calls: number[] = [];
  const trickle: Writer = {
    write(bytes) {
      calls.push(bytes.length);
      const n = Math.min(3, bytes.length);
      received.push(...bytes.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  const bytes = new Uint8Array(10).map((_, i) => i);
  const progress: number[] = [];
  await writeAll(trickle, bytes, (n) => progress.push(n));
  assertEquals(new Uint8Array(received), bytes);
  assertEquals(calls, [10, 7, 4, 1]);
  assertEquals(progress, [3, 3, 3, 1], "each partial write is reported");
  await writeAll(trickle, new Uint8Array());
  assertEquals(calls.length, 4); // nothing to write, no call
});

Deno.test("writeAllSync loops over partial writes too", () => {
  const received: number[] = [];
  const trickle: SyncWriter = {
    writeSync(bytes) {
      const n = Math.min(4, bytes.length);
      received.push(...bytes.subarray(0, n));
      return n;
    },
  };
  const bytes = new Uint8Array(10).map((_, i) => 10 - i);
  writeAllSync(trickle, bytes);
  assertEquals(new Uint8Array(received), bytes);
});

Deno.test("writeAll and writeAllSync fail, not spin, on a writer that takes nothing", async () => {
  const stuck: Writer & SyncWriter = {
    write: () => Promise.resolve(0),
    writeSync: () => 0,
  };
  await assertRejects(
    () => writeAll(stuck, new Uint8Array(1)),
    Deno.errors.WriteZero,
  );
  assertThrows(
    () => writeAllSync(stuck, new Uint8Array(1)),
    Deno.errors.WriteZero,
  );
});
