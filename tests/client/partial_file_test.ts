import { VerificationError } from "../../lib/client/checks.ts";
import { PartialFile } from "../../lib/client/partial_file.ts";
import {
  MAX_SAVED_NAME_BYTES,
  safeFileName,
} from "../../lib/client/saved_name.ts";
import { MAX_NUMBERED } from "../../lib/client/config.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { listDir, sha256Hex, withTempDir } from "../support/files.ts";

// A taken name gets a number, as far as a download goes.
const NUMBERED = { numberUpTo: MAX_NUMBERED } as const;

Deno.test("safeFileName keeps only a plain name, whatever the server sends", () => {
  const cases: [string, string][] = [
    ["photo.png", "photo.png"],
    ["../../etc/passwd", "passwd"],
    ["/etc/shadow", "shadow"],
    ["C:\\Windows\\evil.dll", "C__Windows_evil.dll"],
    ["back\\slash.txt", "back_slash.txt"],
    ["..\\..\\evil", "_.._evil"],
    ["..", "download"],
    [".", "download"],
    ["", "download"],
    ["dir/", "dir"],
    ["a\u0000b\u001b[31m", "a_b_[31m"],
    ["con:name?.txt", "con_name_.txt"],
    ["trailing. ", "trailing"],
    ["日本語.txt", "日本語.txt"],
    // Safe to show: not hidden, nothing invisible or reversing the text.
    [".bashrc", "bashrc"],
    ["invoice\u202efdp.exe", "invoicefdp.exe"],
    ["a\u200bb\ufeff", "ab"],
    [" lead and trail\u00a0", "lead and trail"],
    ["  ", "download"],
  ];
  for (const [input, expected] of cases) {
    assertEquals(safeFileName(input), expected, input);
  }
});

Deno.test("safeFileName shortens a long name to what file systems take, keeping its extension", () => {
  const emoji = "🎉".repeat(100) + ".txt"; // 404 bytes
  const saved = safeFileName(emoji);
  assertEquals(saved, "🎉".repeat(49) + ".txt"); // 196 + 4 bytes
  assertEquals(new TextEncoder().encode(saved).length, MAX_SAVED_NAME_BYTES);
  assertEquals(safeFileName("x".repeat(300)), "x".repeat(MAX_SAVED_NAME_BYTES));
  const short = "y".repeat(MAX_SAVED_NAME_BYTES - 4) + ".bin";
  assertEquals(safeFileName(short), short);
});

Deno.test("PartialFile saves under the final name only once verified", async () => {
  await withTempDir(async (dir) => {
    const bytes = new TextEncoder().encode("hello");
    const partial = await PartialFile.create(`${dir}/new/sub`, "../x.txt", 5);
    await partial.write(bytes.subarray(0, 2));
    const during = await listDir(`${dir}/new/sub`);
    assertEquals(during.length, 1);
    assertEquals(during[0].endsWith(".part"), true);
    await partial.write(bytes.subarray(2));
    const path = await partial.finish(sha256Hex(bytes), NUMBERED);
    assertEquals(path, `${dir}/new/sub/x.txt`);
    assertEquals(await Deno.readTextFile(path), "hello");
    assertEquals(await listDir(`${dir}/new/sub`), ["x.txt"]);
  });
});

Deno.test("PartialFile never overwrites: a taken name gets a number", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "mine");
    const digest = sha256Hex(new Uint8Array());
    for (let i = 0; i < 2; i++) {
      const partial = await PartialFile.create(dir, "a.txt", 0);
      await partial.finish(digest, NUMBERED);
    }
    assertEquals(await listDir(dir), ["a (1).txt", "a (2).txt", "a.txt"]);
    assertEquals(await Deno.readTextFile(`${dir}/a.txt`), "mine");
  });
});

Deno.test("PartialFile saves under a chosen name, failing or replacing when it is taken", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/mine.txt`, "mine");
    const bytes = new TextEncoder().encode("new");
    const digest = sha256Hex(bytes);
    // The chosen name is taken as given: no safe-name rewriting.
    let partial = await PartialFile.create(dir, "server.txt", 3, "mine.txt");
    await partial.write(bytes);
    await assertRejects(
      () => partial.finish(digest, "fail"),
      Deno.errors.AlreadyExists,
      "mine.txt already exists; add --overwrite to replace it",
    );
    assertEquals(await listDir(dir), ["mine.txt"]);
    assertEquals(await Deno.readTextFile(`${dir}/mine.txt`), "mine");
    partial = await PartialFile.create(dir, "server.txt", 3, "mine.txt");
    await partial.write(bytes);
    assertEquals(await partial.finish(digest, "replace"), `${dir}/mine.txt`);
    assertEquals(await listDir(dir), ["mine.txt"]);
    assertEquals(await Deno.readTextFile(`${dir}/mine.txt`), "new");
  });
});

Deno.test("PartialFile gives up, keeping nothing, once every numbered name is taken", async () => {
  await withTempDir(async (dir) => {
    const upTo = 3;
    await Deno.writeTextFile(`${dir}/a.txt`, "mine");
    for (let n = 1; n <= upTo; n++) {
      await Deno.writeFile(`${dir}/a (${n}).txt`, new Uint8Array());
    }
    const partial = await PartialFile.create(dir, "a.txt", 0);
    await assertRejects(
      () => partial.finish(sha256Hex(new Uint8Array()), { numberUpTo: upTo }),
      Deno.errors.AlreadyExists,
      `a.txt and ${upTo} numbered names like it are all taken`,
    );
    assertEquals((await listDir(dir)).length, upTo + 1);
  });
});

Deno.test("PartialFile leaves nothing behind on a mismatch or a cut", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("wrong hash", async () => {
      const partial = await PartialFile.create(dir, "f", 3);
      await partial.write(new Uint8Array(3));
      await assertRejects(
        () => partial.finish("0".repeat(64), NUMBERED),
        VerificationError,
        "SHA-256 mismatch",
      );
    });
    await t.step("short", async () => {
      const partial = await PartialFile.create(dir, "f", 3);
      await partial.write(new Uint8Array(2));
      await assertRejects(
        () => partial.finish("0".repeat(64), NUMBERED),
        VerificationError,
        "Received 2 of 3 bytes",
      );
    });
    await t.step("too long", async () => {
      const partial = await PartialFile.create(dir, "f", 3);
      await assertRejects(
        () => partial.write(new Uint8Array(4)),
        VerificationError,
        "more than the 3 bytes",
      );
      await partial.discard();
    });
    assertEquals(await listDir(dir), []);
  });
});
