import {
  capLogMessage,
  formatLogLine,
  MAX_LOG_MESSAGE,
  QueuedLog,
} from "../../lib/server/log.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { within } from "../support/wait.ts";

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

Deno.test("QueuedLog never blocks, keeps a bounded queue and reports what it dropped", async () => {
  const output = new StuckOutput();
  const logs = new QueuedLog(output, 1000);
  const line = (i: number) => `Client${i} connected`;
  const each = formatLogLine("NEW CONNECTION", line(10)).length + 1;
  for (let i = 10; i < 1010; i++) logs.log("NEW CONNECTION", line(i));
  // Only what fits in 1,000 bytes waits; the rest is counted.
  const kept = Math.floor(1000 / each);
  assertEquals(logs.dropped, 1000 - kept);
  output.open();
  await within(logs.flushed(), "the log to be written");
  const lines = output.written.split("\n").slice(0, -1);
  assertEquals(lines.length, kept + 1);
  assertEquals(lines[0], formatLogLine("NEW CONNECTION", line(10)));
  assertEquals(
    lines.at(-1),
    formatLogLine(
      "ERROR",
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
  });
  logs.log("SERVER", "one");
  await within(logs.flushed(), "the failed write");
  logs.log("SERVER", "two");
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
  const logs = new QueuedLog(output);
  logs.log("DOWNLOAD", "z".repeat(100_000));
  await within(logs.flushed(), "the log to be written");
  assertEquals(
    output.written,
    formatLogLine("DOWNLOAD", capLogMessage("z".repeat(100_000))) + "\n",
  );
  assert(output.written.length < MAX_LOG_MESSAGE + 100);
});
