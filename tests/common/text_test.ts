import {
  alignColumns,
  escapeControl,
  formatAddress,
  formatBytes,
  formatDuration,
  formatIsoTime,
  formatTimestamp,
} from "../../lib/common/text.ts";
import { assertEquals } from "../support/assert.ts";

const TEXT_MODULE = new URL("../../lib/common/text.ts", import.meta.url).href;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("escapeControl shows invisible and direction-changing characters", () => {
  assertEquals(
    escapeControl("invoice\u202efdp.exe"),
    "invoice\\u{202e}fdp.exe",
  );
  assertEquals(
    escapeControl("\ufeffa\u200bb\u2028c\u2066d"),
    "\\u{feff}a\\u{200b}b\\u{2028}c\\u{2066}d",
  );
  assertEquals(escapeControl("é ☕ \u00a0"), "é ☕ \u00a0");
});

Deno.test("escapeControl makes escape sequences visible and keeps text", () => {
  assertEquals(escapeControl("\u001b[31mred\u001b[0m"), "\\x1b[31mred\\x1b[0m");
  assertEquals(
    escapeControl("a\r\nb\u0000\u0007\u007f\u009b"),
    "a\\r\\nb\\x00\\x07\\x7f\\x9b",
  );
  assertEquals(
    escapeControl("tab\tstays, 日本語 🎉 too"),
    "tab\tstays, 日本語 🎉 too",
  );
});

Deno.test("formatTimestamp shows local time to the millisecond", () => {
  assertEquals(
    formatTimestamp(new Date(2025, 1, 8, 20, 8, 47, 904)),
    "2025-02-08 20:08:47.904",
  );
  assertEquals(
    formatTimestamp(new Date(2026, 0, 1, 0, 0, 0, 5)),
    "2026-01-01 00:00:00.005",
  );
});

Deno.test("alignColumns pads all but the last column", () => {
  assertEquals(alignColumns([["a", "bb", "c"], ["ddd", "e", "f"]]), [
    "a    bb  c",
    "ddd  e   f",
  ]);
  assertEquals(alignColumns([["a", "1 B"], ["bb", "10 kB"]], { right: [1] }), [
    "a     1 B",
    "bb  10 kB",
  ]);
});

Deno.test("formatAddress brackets IPv6", () => {
  assertEquals(
    formatAddress({ transport: "tcp", hostname: "127.0.0.1", port: 1 }),
    "127.0.0.1:1",
  );
  assertEquals(
    formatAddress({ transport: "tcp", hostname: "::1", port: 2 }),
    "[::1]:2",
  );
});

Deno.test("formatDuration has one style: a number, a space, a unit", () => {
  assertEquals(formatDuration(0), "0 ms");
  assertEquals(formatDuration(-5), "0 ms");
  assertEquals(formatDuration(3.2), "3 ms");
  assertEquals(formatDuration(999), "999 ms");
  assertEquals(formatDuration(999.6), "1.0 s");
  assertEquals(formatDuration(1400), "1.4 s");
  assertEquals(formatDuration(59_940), "59.9 s");
  assertEquals(formatDuration(59_960), "1 min 0 s");
  assertEquals(formatDuration(99_674), "1 min 40 s");
  assertEquals(formatDuration(3_599_600), "1 h 0 min");
  assertEquals(formatDuration(3 * 3600_000 + 7 * 60_000), "3 h 7 min");
});

Deno.test("formatBytes counts in binary units, bytes exact below 1 KiB", () => {
  assertEquals(formatBytes(0), "0 B");
  assertEquals(formatBytes(1023), "1023 B");
  assertEquals(formatBytes(1024), "1 KiB");
  assertEquals(formatBytes(10_547), "10.3 KiB");
  assertEquals(formatBytes(65_536), "64 KiB");
  assertEquals(formatBytes(5_150_000), "4.91 MiB");
  assertEquals(formatBytes(16 * 1024 ** 3), "16 GiB");
});

Deno.test("formatIsoTime writes local time with its offset, in any time zone", async () => {
  // 2025-02-08 20:08:47.904 UTC, seen from zones east, west and at UTC.
  const instant = Date.UTC(2025, 1, 8, 20, 8, 47, 904);
  const zones: [string, string][] = [
    ["UTC", "2025-02-08T20:08:47.904+00:00"],
    ["Asia/Kolkata", "2025-02-09T01:38:47.904+05:30"],
    ["America/St_Johns", "2025-02-08T16:38:47.904-03:30"],
  ];
  for (const [zone, expected] of zones) {
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--config",
        CONFIG,
        `const { formatIsoTime } = await import(${
          JSON.stringify(TEXT_MODULE)
        }); console.log(formatIsoTime(new Date(${instant})));`,
      ],
      env: { TZ: zone },
      stderr: "inherit",
    }).output();
    assertEquals(success, true);
    assertEquals(new TextDecoder().decode(stdout).trim(), expected, zone);
  }
  const here = new Date(instant);
  assertEquals(new Date(formatIsoTime(here)).getTime(), instant);
});
