import { Opener, OpensPendingError } from "../../lib/server/opener.ts";
import { within } from "../../tools/wait.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";
import { withTempDir } from "../support/files.ts";

/** A FIFO in `dir`, and a way to let an open of it waiting end. */
async function fifoIn(dir: string) {
  const path = `${dir}/pipe`;
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!made.success) throw new Error("mkfifo failed");
  // Opening the write end lets an abandoned open finish, so no operation
  // outlives the test; the opener closes its own when it does.
  const release = async () => (await Deno.open(path, { write: true })).close();
  return { path, release };
}

Deno.test("an open that does not finish is given up: in time, or when the connection stops", async (t) => {
  await withTempDir(async (dir) => {
    const fifo = await fifoIn(dir);
    await Deno.writeTextFile(`${dir}/ok.txt`, "fine");
    await t.step("after the time given", async () => {
      const clock = new ManualClock();
      const opener = new Opener({ clock, timeoutMs: 50, maxStuck: 8 });
      const opening = opener.open(fifo.path);
      opening.catch(() => {}); // looked at below
      let settled = false;
      opening.catch(() => {}).finally(() => settled = true);
      await clock.advance(49);
      assertEquals(settled, false, "given up before its time");
      await clock.advance(1);
      await assertRejects(
        () => within(opening, "the open to be given up"),
        Deno.errors.TimedOut,
        "it did not open in time",
      );
      await fifo.release();
    });
    await t.step("when the connection is stopped", async () => {
      const stop = new AbortController();
      const opener = new Opener({
        clock: new ManualClock(),
        timeoutMs: 60_000,
        maxStuck: 8,
      });
      const opening = opener.open(fifo.path, stop.signal);
      stop.abort(new Error("stopped"));
      // The stop's reason, not a time limit: no refusal to tell a client.
      await assertRejects(
        () => within(opening, "the open to be given up"),
        Error,
        "stopped",
      );
      assertEquals(opener.stuck, 1);
      await fifo.release();
      await within(opener.unstuck(), "the open to end");
      // Stopped already: nothing is opened.
      await assertRejects(
        () => opener.open(`${dir}/ok.txt`, stop.signal),
        Error,
        "stopped",
      );
    });
    await t.step("and still opens a regular file", async () => {
      const opener = new Opener({
        clock: new ManualClock(),
        timeoutMs: 1000,
        maxStuck: 8,
      });
      using file = await opener.open(`${dir}/ok.txt`);
      assertEquals((await file.stat()).size, 4);
      assertEquals(opener.stuck, 0);
    });
  });
});

Deno.test("opens given up on are bounded: past the bound the next is refused, until they end", async () => {
  await withTempDir(async (dir) => {
    const fifo = await fifoIn(dir);
    await Deno.writeTextFile(`${dir}/ok.txt`, "fine");
    const clock = new ManualClock();
    const opener = new Opener({ clock, timeoutMs: 50, maxStuck: 1 });
    const stuck = opener.open(fifo.path).then(() => null, (error) => error);
    await clock.advance(50);
    assertInstanceOf(await within(stuck, "the open"), Deno.errors.TimedOut);
    // Still holding its thread: no more opens until it ends (an open that
    // is only under way, or failed, does not count).
    assertEquals(opener.stuck, 1);
    await assertRejects(
      () => opener.open(`${dir}/ok.txt`),
      OpensPendingError,
      "too many files are still opening on the server; try again later",
    );
    await fifo.release();
    await within(opener.unstuck(), "the given-up open to end");
    using file = await opener.open(`${dir}/ok.txt`);
    assertEquals((await file.stat()).size, 4);
  });
});
