import { assertEquals } from "@std/assert";
import {
  alignColumns,
  escapeControl,
  formatAddress,
  formatMilliseconds,
  formatTimestamp,
} from "../lib/terminal.ts";

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

Deno.test("formatMilliseconds picks a readable unit", () => {
  assertEquals(formatMilliseconds(3.2), "3 ms");
  assertEquals(formatMilliseconds(1400), "1.4 s");
  assertEquals(formatMilliseconds(125_000), "2m 5s");
});
