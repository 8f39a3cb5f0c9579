import {
  closingText,
  formatFileFields,
  formatFileHeader,
  formatFileRows,
  formatFileTrailer,
  formatGreeting,
  isServerFull,
  parseFileHeader,
  parseFileRow,
  parseFileTrailer,
  parseGreeting,
  refusalCode,
  refusalText,
} from "../../lib/wire/texts.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("greeting, file header and trailer round-trip and reject garbage", () => {
  assertEquals(parseGreeting(formatGreeting("Client07")), "Client07");
  assertEquals(parseGreeting("Connected as "), null);
  assertEquals(parseGreeting("Hello"), null);
  assertEquals(parseFileHeader(formatFileHeader(52100, "my photo.png")), {
    size: 52100,
    name: "my photo.png",
    version: null,
    offset: 0,
  });
  assertEquals(parseFileHeader(formatFileHeader(0, "e")), {
    size: 0,
    name: "e",
    version: null,
    offset: 0,
  });
  assertEquals(parseFileHeader("-1 x"), null);
  assertEquals(parseFileHeader("12"), null);
  assertEquals(parseFileHeader("12 "), null);
  assertEquals(parseFileHeader("99999999999999999 x"), null);
  assertEquals(parseFileHeader("9999999999999999 x"), null); // not a safe integer
  const hex = "a".repeat(64);
  assertEquals(parseFileTrailer(formatFileTrailer(hex)), hex);
  assertEquals(parseFileTrailer("SHA-256 xyz"), null);
  assertEquals(parseFileTrailer(`SHA-256 ${hex}0`), null);
  assertEquals(parseFileTrailer("MD5 " + hex), null);
});

Deno.test("closing and refusal texts say why, with the right code", () => {
  assertEquals(closingText({ kind: "shutdown" }), "Server is shutting down");
  assertEquals(
    closingText({ kind: "idle", timeoutMs: 300_000 }),
    "Idle timeout: no request for 300 s; closing",
  );
  const cases: [Parameters<typeof refusalText>[0], number, string][] = [
    [
      { reason: "not-a-name", name: "../x" },
      550,
      "Not a file name in this folder: ../x (use a name from 'list')",
    ],
    [{ reason: "missing", name: "a" }, 550, "No such file: a"],
    [{ reason: "not-a-file", name: "d" }, 550, "Not a regular file: d"],
    [
      { reason: "unreadable", name: "f", detail: "permission denied" },
      451,
      "Cannot read f: permission denied",
    ],
  ];
  for (const [refusal, code, text] of cases) {
    assertEquals([refusalCode(refusal), refusalText(refusal)], [code, text]);
  }
});

Deno.test("every name of a list row reads back as list shows it", () => {
  const names = [
    "a",
    "my file.txt",
    "two  spaces",
    "ends with 5 B  2026-01-01 00:00:00.000 x",
    "\\u{202e}fdp.exe",
    "x".repeat(255),
  ];
  const rows = formatFileRows(names.map((shownName, i) => ({
    shownName,
    size: 10 ** i,
    modified: i % 2 === 0 ? new Date(2026, 0, 2, 3, 4, 5, 6) : null,
  })));
  assertEquals(rows.map(parseFileRow), names);
  // Not a row: the summary, and a line with no size and time.
  assertEquals(
    parseFileRow("2 files, 1 KiB; download one with: get <name>"),
    null,
  );
  assertEquals(parseFileRow("a.txt"), null);
});

Deno.test("a client tells a full server's 421 from the others by its words", () => {
  for (const maxClients of [1, 3, 1000]) {
    assertEquals(isServerFull(closingText({ kind: "full", maxClients })), true);
  }
  assertEquals(isServerFull(closingText({ kind: "shutdown" })), false);
  assertEquals(isServerFull(closingText({ kind: "evicted" })), false);
  assertEquals(
    isServerFull(closingText({ kind: "yielded", idleMs: 30_000 })),
    false,
  );
  assertEquals(
    isServerFull("Server is full: 3 of 4 clients connected; try again later"),
    false,
  );
});

Deno.test("a resumed download's header carries its version and offset; a bad one is no header", () => {
  const fields = formatFileFields("0a1b2c3d4e5f6789", 1048576);
  assertEquals(fields, ["Version 0a1b2c3d4e5f6789", "Offset 1048576"]);
  assertEquals(parseFileHeader("10 big.bin", fields), {
    size: 10,
    name: "big.bin",
    version: "0a1b2c3d4e5f6789",
    offset: 1048576,
  });
  // A line it does not know is left out: later fields break no reader.
  assertEquals(
    parseFileHeader("10 big.bin", ["Modified yesterday", ...fields])?.offset,
    1048576,
  );
  // A version that could leave a folder or end a line, or a bad offset.
  for (
    const bad of [
      ["Version ../../x"],
      ["Version A1"],
      [`Version ${"a".repeat(41)}`],
      ["Offset -1"],
      ["Offset 1e3"],
      ["Offset 99999999999999999"],
    ]
  ) {
    assertEquals(parseFileHeader("10 big.bin", bad), null, bad[0]);
  }
});
