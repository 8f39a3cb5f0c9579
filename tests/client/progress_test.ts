import {
  fitLine,
  ProgressBar,
  renderProgress,
} from "../../lib/client/progress.ts";
import { assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";

Deno.test("renderProgress shows name, bar, percent, sizes, rate and time left", () => {
  assertEquals(
    renderProgress("a.bin", 512, 1024, 1000),
    "a.bin [############------------]  50%  512 B / 1 KiB  512 B/s  1.0 s left",
  );
  assertEquals(
    renderProgress("z", 1 << 20, 100 << 20, 2000),
    "z [------------------------]   1%  1 MiB / 100 MiB  512 KiB/s  3 min 18 s left",
  );
  assertEquals(
    renderProgress("a.bin", 0, 1024, 0),
    "a.bin [------------------------]   0%  0 B / 1 KiB  0 B/s",
  );
  assertEquals(
    renderProgress("e", 0, 0, 5),
    "e [########################] 100%  0 B / 0 B  0 B/s",
  );
  assertEquals(
    renderProgress("c", 1, 10, 1),
    "c [##----------------------]  10%  1 B / 10 B  1000 B/s  9 ms left",
  );
  assertEquals(
    renderProgress("b", 999, 1000, 500),
    "b [########################]  99%  999 B / 1000 B  1.95 KiB/s  1 ms left",
  );
});

Deno.test("ProgressBar redraws at most ten times a second, and at the end", async () => {
  const clock = new ManualClock();
  const drawn: string[] = [];
  const bar = new ProgressBar("f", {
    write: (text) => drawn.push(text),
    clock,
  });
  bar.clear();
  assertEquals(drawn, [], "nothing drawn, nothing to clear");
  bar.update(10, 100);
  await clock.advance(50);
  bar.update(20, 100); // too soon
  await clock.advance(50);
  bar.update(30, 100);
  await clock.advance(1);
  bar.update(100, 100); // the end is always shown
  assertEquals(drawn.length, 3);
  assertEquals(drawn[0], "\r\x1b[2K" + renderProgress("f", 10, 100, 0));
  assertEquals(drawn[1], "\r\x1b[2K" + renderProgress("f", 30, 100, 100));
  assertEquals(drawn[2], "\r\x1b[2K" + renderProgress("f", 100, 100, 101));
  bar.clear();
  assertEquals(drawn.at(-1), "\r\x1b[2K");
});

Deno.test("the progress line fits the terminal, so it redraws in place", () => {
  assertEquals(fitLine("abcdef", 80), "abcdef");
  assertEquals(fitLine("abcdef", 6), "abcde");
  assertEquals(fitLine("日本語テキスト", 4), "日本語");
  let columns = 40;
  const drawn: string[] = [];
  const bar = new ProgressBar("a-rather-long-file-name.iso", {
    write: (text) => drawn.push(text),
    clock: new ManualClock(),
    columns: () => columns,
  });
  bar.update(0, 1000);
  columns = 20; // resized
  bar.update(1000, 1000);
  assertEquals(drawn.map((line) => line.replace("\r\x1b[2K", "").length), [
    39,
    19,
  ]);
});
