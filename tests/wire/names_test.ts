import fc from "fast-check";
import {
  escapeName,
  isNameTooLong,
  MAX_NAME_BYTES,
  unescapeName,
} from "../../lib/wire/names.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("escapeName shows what would be lost or misread, and only that", () => {
  const cases: [string, string][] = [
    ["notes.txt", "notes.txt"],
    ["my notes.txt", "my notes.txt"],
    ["café ☕.txt", "café ☕.txt"],
    [" lead", "\\x20lead"],
    ["trail ", "trail\\x20"],
    ["\ufeffbom", "\\u{feff}bom"],
    ["cr\r", "cr\\r"],
    ["new\nline", "new\\nline"],
    ["tab\there", "tab\\there"],
    ["back\\slash", "back\\\\slash"],
    ["esc\x1b[31m", "esc\\x1b[31m"],
    ["del\x7f", "del\\x7f"],
    ["c1\x85", "c1\\x85"],
    ["invoice\u202efdp.exe", "invoice\\u{202e}fdp.exe"],
    ["zero\u200bwidth", "zero\\u{200b}width"],
    ["\u00a0nbsp\u00a0", "\\xa0nbsp\\xa0"],
    [" ", "\\x20"],
  ];
  for (const [name, shown] of cases) {
    assertEquals(escapeName(name), shown, JSON.stringify(name));
    assertEquals(unescapeName(shown), name, shown);
  }
});

Deno.test("unescapeName refuses a backslash that starts no escape", () => {
  for (
    const text of [
      "a\\",
      "a\\q",
      "\\x4",
      "\\xZZ",
      "\\u{}",
      "\\u{110000}",
      "\\u{d800}",
      "\\u1234",
    ]
  ) {
    assertEquals(unescapeName(text), null, text);
  }
  assertEquals(unescapeName("\\x41\\u{1f389}\\\\"), "A🎉\\");
  assertEquals(unescapeName("plain"), "plain");
});

Deno.test("any name reads back exactly from its escaped form, which is one safe line (property)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (name) => {
      const shown = escapeName(name);
      assertEquals(unescapeName(shown), name);
      // One line, nothing a terminal acts on, nothing `get` would trim.
      // deno-lint-ignore no-control-regex -- the point of the check
      assert(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u.test(shown));
      assertEquals(shown.trim(), shown);
    }),
  );
});

Deno.test("isNameTooLong counts bytes, not characters", () => {
  assertEquals(isNameTooLong("a".repeat(MAX_NAME_BYTES)), false);
  assertEquals(isNameTooLong("a".repeat(MAX_NAME_BYTES + 1)), true);
  assertEquals(isNameTooLong("é".repeat(127)), false); // 254 bytes
  assertEquals(isNameTooLong("é".repeat(128)), true); // 256 bytes
});
