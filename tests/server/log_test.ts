import {
  capLogMessage,
  dropNotice,
  formatLogLine,
  type LineFormatter,
  MAX_LOG_MESSAGE,
  ServerLog,
} from "../../lib/server/log.ts";
import { type LogOutput, QueuedLog } from "../../lib/server/log_queue.ts";
import { colors } from "../../lib/common/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";
import { within } from "../../tools/wait.ts";

const decoder = new TextDecoder();

/** An output that takes nothing until it is opened, like a full pipe. */
class StuckOutput {
  written = "";
  #open = Promise.withResolvers<void>();

  async write(bytes: Uint8Array): Promise<number> {
    await this.#open.promise;
    // Take at most 100 bytes a call, as a pipe may.
    const n = Math.min(bytes.length, 100);
    this.written += decoder.decode(bytes.subarray(0, n));
    return n;
  }

  open(): void {
    this.#open.resolve();
  }
}

const AT = new Date(2026, 10, 26, 4, 12, 0, 123);
const format: LineFormatter = (kind, message, fields) =>
  formatLogLine(kind, message, AT, "text", fields);

Deno.test("QueuedLog never blocks, keeps a bounded queue and reports what it dropped", async () => {
  const output = new StuckOutput();
  const logs = new QueuedLog(output, dropNotice(format), 1000);
  const line = (i: number) => `Client${i} connected`;
  const each = format("NEW CONNECTION", line(10)).length + 1;
  for (let i = 10; i < 1010; i++) logs.add(format("NEW CONNECTION", line(i)));
  // Only what fits in 1,000 bytes waits; the rest is counted.
  const kept = Math.floor(1000 / each);
  assertEquals(logs.dropped, 1000 - kept);
  output.open();
  await within(logs.flushed(), "the log to be written");
  const lines = output.written.split("\n").slice(0, -1);
  assertEquals(lines.length, kept + 1);
  assertEquals(lines[0], format("NEW CONNECTION", line(10)));
  assertEquals(
    lines.at(-1),
    format(
      "WARNING",
      `${1000 - kept} log lines dropped: the log output was not keeping up`,
    ),
  );
  assertEquals(logs.dropped, 0);
});

Deno.test("QueuedLog stops quietly when its output is gone", async () => {
  let calls = 0;
  const logs = new QueuedLog({
    write() {
      calls++;
      return Promise.reject(new Deno.errors.BrokenPipe("closed"));
    },
  }, dropNotice(format));
  logs.add(format("SERVER", "one"));
  await within(logs.flushed(), "the failed write");
  logs.add(format("SERVER", "two"));
  await within(logs.flushed(), "nothing");
  assertEquals(calls, 1);
  assertEquals(logs.dropped, 1);
});

Deno.test("log messages are capped in length, saying how much was cut", () => {
  assertEquals(capLogMessage("short"), "short");
  const exact = "x".repeat(MAX_LOG_MESSAGE);
  assertEquals(capLogMessage(exact), exact);
  const long = "y".repeat(MAX_LOG_MESSAGE + 500);
  const capped = capLogMessage(long);
  assertEquals(capped, "y".repeat(MAX_LOG_MESSAGE) + "… (500 more characters)");
  assert(capped.length < long.length);
});

Deno.test("QueuedLog caps every line it writes", async () => {
  const output = new StuckOutput();
  output.open();
  const logs = new QueuedLog(output, dropNotice(format));
  logs.add(format("DOWNLOAD", "z".repeat(100_000)));
  await within(logs.flushed(), "the log to be written");
  assert(
    output.written.endsWith(
      ` ${"z".repeat(MAX_LOG_MESSAGE)}… (${
        100_000 - MAX_LOG_MESSAGE
      } more characters)\n`,
    ),
  );
  assert(output.written.length < MAX_LOG_MESSAGE + 100);
});

/** An output that keeps what it is given. */
function collecting(): LogOutput & { lines(): string[] } {
  let text = "";
  return {
    write(bytes) {
      text += decoder.decode(bytes);
      return Promise.resolve(bytes.length);
    },
    lines: () => text.split("\n").slice(0, -1),
  };
}

Deno.test("text lines carry the time, then the course's words", () => {
  colors.setColorEnabled(false);
  assertEquals(
    formatLogLine(
      "NEW CONNECTION",
      "Client01 connected from 127.0.0.1:5000",
      AT,
    ),
    "2026-11-26 04:12:00.123 [NEW CONNECTION] Client01 connected from 127.0.0.1:5000",
  );
});

Deno.test("JSON lines are one object each: time, level, kind, message, then the facts", () => {
  const line = formatLogLine(
    "DOWNLOAD",
    "Client01 got a.txt (5 B in 1 ms, 4.88 KiB/s)",
    AT,
    "json",
    { client: "Client01", bytes: 5 },
  );
  const offset = -AT.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  assertEquals(JSON.parse(line), {
    time: `2026-11-26T04:12:00.123${sign}${hh}:${mm}`,
    level: "info",
    kind: "DOWNLOAD",
    message: "Client01 got a.txt (5 B in 1 ms, 4.88 KiB/s)",
    client: "Client01",
    bytes: 5,
  });
  // A message with anything in it stays one line of valid JSON.
  const odd = formatLogLine("ERROR", 'a\nb"c\\', AT, "json");
  assertEquals(odd.includes("\n"), false);
  assertEquals(JSON.parse(odd).message, 'a\nb"c\\');
});

Deno.test("ServerLog sends warnings and errors to stderr, and keeps to its level", async (t) => {
  const levels = [
    ["debug", ["REQUEST", "SERVER"], ["REJECTED", "ERROR"]],
    ["info", ["SERVER"], ["REJECTED", "ERROR"]],
    ["warn", [], ["REJECTED", "ERROR"]],
    ["error", [], ["ERROR"]],
  ] as const;
  for (const [level, toStdout, toStderr] of levels) {
    await t.step(level, async () => {
      const stdout = collecting();
      const stderr = collecting();
      const log = new ServerLog({
        stdout,
        stderr,
        level,
        format: "json",
        clock: new ManualClock(AT),
      });
      for (const kind of ["REQUEST", "SERVER", "REJECTED", "ERROR"] as const) {
        log.log(kind, kind.toLowerCase());
      }
      await within(log.flushed(), "the log to be written");
      const kinds = (output: ReturnType<typeof collecting>) =>
        output.lines().map((line) => JSON.parse(line).kind);
      assertEquals(kinds(stdout), [...toStdout]);
      assertEquals(kinds(stderr), [...toStderr]);
    });
  }
});
