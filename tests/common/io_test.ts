import { writeAll, type Writer } from "../../lib/common/io.ts";
import { assertEquals } from "../support/assert.ts";

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
  await writeAll(trickle, bytes);
  assertEquals(new Uint8Array(received), bytes);
  assertEquals(calls, [10, 7, 4, 1]);
  await writeAll(trickle, new Uint8Array());
  assertEquals(calls.length, 4); // nothing to write, no call
});
