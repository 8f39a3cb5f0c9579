import { idleVerdict } from "../../lib/server/idle.ts";
import { assertEquals } from "../support/assert.ts";

const timings = { idleMs: 1000, stallMs: 5000 };

Deno.test("an idle client is looked at again when its idle timeout would end", () => {
  assertEquals(idleVerdict(400, false, timings), { kind: "again", ms: 600 });
  assertEquals(idleVerdict(1000, false, timings), {
    kind: "stop",
    reason: { kind: "idle", timeoutMs: 1000 },
  });
});

Deno.test("a client taking a reply gets the stall limit, looked at each idle timeout", () => {
  assertEquals(idleVerdict(1000, true, timings), { kind: "again", ms: 1000 });
  assertEquals(idleVerdict(4500, true, timings), { kind: "again", ms: 500 });
  assertEquals(idleVerdict(5000, true, timings), {
    kind: "stop",
    reason: { kind: "stalled", stallMs: 5000 },
  });
  // A stall limit shorter than the idle timeout gives way to it.
  assertEquals(idleVerdict(3000, true, { idleMs: 4000, stallMs: 2000 }), {
    kind: "again",
    ms: 1000,
  });
});
