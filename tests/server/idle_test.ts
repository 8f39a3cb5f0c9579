import { IdleSweep, idleVerdict } from "../../lib/server/idle.ts";
import { ManualClock } from "../support/clock.ts";
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

Deno.test("one timer watches every connection, set for the earliest due", async () => {
  const clock = new ManualClock();
  const sweep = new IdleSweep(clock);
  const looked: string[] = [];
  // Each says how long until it is due, then stops at 0.
  const watched = (name: string, dues: number[]) => ({
    checkIdle(now: number) {
      looked.push(`${name}@${now}`);
      const due = dues.shift();
      return due === undefined ? null : due;
    },
  });
  const a = watched("a", [300]);
  const b = watched("b", []);
  sweep.watch(a, 1000);
  sweep.watch(b, 500);
  assertEquals(clock.pending, 1);
  await clock.advance(499);
  assertEquals(looked, []);
  // b's turn: both are looked at; b is done, a is due in 300.
  await clock.advance(1);
  assertEquals(looked, ["a@500", "b@500"]);
  assertEquals(sweep.size, 1);
  await clock.advance(300);
  assertEquals(looked, ["a@500", "b@500", "a@800"]);
  assertEquals([sweep.size, clock.pending], [0, 0]);
  // The last one unwatched takes the timer with it.
  sweep.watch(a, 1000);
  sweep.unwatch(a);
  assertEquals(clock.pending, 0);
});
