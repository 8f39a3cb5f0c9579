import { flagsOf } from "../../lib/common/commands.ts";
import { UsageError } from "../../lib/common/mod.ts";
import { parseCommandLine } from "../../lib/server/cli.ts";
import {
  resolveConfig,
  TASK_PERMISSIONS,
  TIMINGS,
} from "../../lib/server/config.ts";
import { permissionFlags, readTasks } from "../../tools/tasks.ts";
import { assertEquals, assertThrows } from "../support/assert.ts";

Deno.test("the server knows the permissions of its task, for the commands it suggests", async () => {
  assertEquals(
    flagsOf(TASK_PERMISSIONS),
    permissionFlags((await readTasks()).server),
  );
});

Deno.test("timing flags are in seconds", () => {
  const command = parseCommandLine([
    "--idle-timeout",
    "90",
    "--yield-after",
    "0",
  ]);
  assertEquals(command?.config.timings.idleMs, 90_000);
  assertEquals(command?.config.timings.yieldIdleMs, 0);
  assertEquals(
    parseCommandLine([])?.config.timings.yieldIdleMs,
    TIMINGS.yieldIdleMs,
  );
});

Deno.test("--yield-after is bounded", () => {
  assertThrows(
    () => parseCommandLine(["--yield-after", "-1"]),
    UsageError,
    "--yield-after",
  );
});

Deno.test("by default the server listens on loopback, serves no other machine unless told, and waits for line ends", () => {
  assertEquals(resolveConfig({}).open, false);
  const config = parseCommandLine([])?.config;
  assertEquals(
    [config?.hostname, config?.open, config?.timings.lineGapMs],
    ["127.0.0.1", false, 0],
  );
  const told = parseCommandLine(["--open", "--line-gap", "200"])?.config;
  assertEquals([told?.open, told?.timings.lineGapMs], [true, 200]);
  assertThrows(
    () => parseCommandLine(["--line-gap", "10001"]),
    UsageError,
    "--line-gap",
  );
});
