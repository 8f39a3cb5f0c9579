import {
  COMMAND_WORDS,
  completeLine,
  ListedNames,
  MAX_COMPLETION_NAMES,
} from "../../lib/client/completion.ts";
import {
  HISTORY_FILE_NAME,
  HISTORY_LINES,
  HISTORY_TAIL_BYTES,
  HistoryFile,
} from "../../lib/client/history.ts";
import { COMMAND_NAMES, COMMANDS } from "../../lib/wire/mod.ts";
import { readTasks } from "../../tools/tasks.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/files.ts";

// The command a notice gives for a history the client may not use.
const ALLOWING = "deno run … client.ts";

Deno.test("Tab completes every command, and names of the last list after get", () => {
  // Every command a person types is offered (noop and hello are what
  // the client sends on its own).
  for (const word of COMMAND_NAMES) {
    const typed = COMMANDS[word].help !== null;
    assertEquals(COMMAND_WORDS.some((w) => w.trim() === word), typed, word);
  }
  assertEquals(completeLine("", []), [[...COMMAND_WORDS], ""]);
  assertEquals(completeLine("st", []), [["status"], "st"]);
  assertEquals(completeLine("g", []), [["get "], "g"]);
  assertEquals(completeLine("hello", []), [[], "hello"]);
  const names = ["my file.txt", "my notes.txt", "other"];
  assertEquals(completeLine("get ", names), [names, ""]);
  assertEquals(completeLine("get my ", names), [
    ["my file.txt", "my notes.txt"],
    "my ",
  ]);
  assertEquals(completeLine("get  o", names), [["other"], "o"]);
  assertEquals(completeLine("getter", names), [[], "getter"]);
});

Deno.test("the names Tab offers come from the rows of a list reply, at most so many", () => {
  const names = new ListedNames();
  names.add("a b.txt    5 B  2026-01-02 03:04:05.006", 212);
  names.add("c.bin  1 KiB  -", 212);
  names.add("2 files, 1 KiB; download one with: get <name>", 212);
  names.add("x  5 B  -", 211); // a status line is no file
  assertEquals(names.names, ["a b.txt", "c.bin"]);
  // What a server sends raw is kept as the screen showed it, escaped:
  // nothing Tab puts in the line can act on the terminal.
  const hostile = new ListedNames();
  hostile.add("\x1b]2;pwned\x07x\x1b[2J  5 B  -", 212);
  hostile.add("invoice\u202efdp.exe  5 B  -", 212);
  hostile.add(`${"n".repeat(5000)}  5 B  -`, 212); // no file name is so long
  assertEquals(hostile.names, [
    "\\x1b]2;pwned\\x07x\\x1b[2J",
    "invoice\\u{202e}fdp.exe",
  ]);
  const many = new ListedNames();
  for (let i = 0; i <= MAX_COMPLETION_NAMES; i++) {
    many.add(`f${i}  1 B  -`, 212);
  }
  assertEquals(many.names.length, MAX_COMPLETION_NAMES);
});

Deno.test("history keeps typed lines across runs, newest last, and never a secret", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/${HISTORY_FILE_NAME}`;
    const first = HistoryFile.open(path, ALLOWING);
    assert(first instanceof HistoryFile);
    assertEquals(first.lines, []);
    for (const line of ["status", "status", "", " secret", "get a", "list"]) {
      assert(first.add(line));
    }
    assertEquals(await Deno.readTextFile(path), "status\nget a\nlist\n");
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    // Newest first for the line editor, each line once.
    first.add("status");
    const second = HistoryFile.open(path, ALLOWING);
    assert(second instanceof HistoryFile);
    assertEquals(second.lines, ["status", "list", "get a"]);
  });
});

Deno.test("a history file grown past twice its size is cut back to the newest", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/${HISTORY_FILE_NAME}`;
    const count = 2 * HISTORY_LINES + 1;
    const lines = Array.from({ length: count }, (_, i) => `line ${i}`);
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const history = HistoryFile.open(path, ALLOWING);
    assert(history instanceof HistoryFile);
    assertEquals(history.lines.length, HISTORY_LINES);
    assertEquals(history.lines[0], `line ${count - 1}`);
    const kept = (await Deno.readTextFile(path)).split("\n");
    assertEquals(kept.length, HISTORY_LINES + 1); // and the last line end
    assertEquals(kept[0], `line ${count - HISTORY_LINES}`);
  });
});

Deno.test("the client task may use exactly the history file the client looks for", async () => {
  const task = (await readTasks()).client;
  for (
    const flag of [
      "--allow-read=./downloads,./tls",
      "--allow-write=./downloads",
    ]
  ) {
    assert(task.includes(`${flag},$HOME/${HISTORY_FILE_NAME} `), task);
  }
  assert(task.includes("--allow-env=HOME,"), task);
});

Deno.test("a history that is a link, or no file, is not used; a huge one costs only its end; its bytes stay as they were", async () => {
  await withTempDir(async (dir) => {
    const elsewhere = `${dir}/elsewhere.txt`;
    await Deno.writeTextFile(elsewhere, "not a history\n");
    await Deno.symlink(elsewhere, `${dir}/link`);
    const link = HistoryFile.open(`${dir}/link`, ALLOWING);
    assertEquals(
      link,
      `History is not kept: cannot use ${dir}/link: it is a link (give another with --history, or use --no-history)`,
    );
    assertEquals(await Deno.readTextFile(elsewhere), "not a history\n");
    await Deno.mkdir(`${dir}/folder`);
    assertEquals(
      typeof HistoryFile.open(`${dir}/folder`, ALLOWING),
      "string",
      "a folder is no history",
    );
    // Far more than is read: the newest lines come from its end, and the
    // file is cut back to them, a line that is not UTF-8 kept byte for byte.
    const path = `${dir}/${HISTORY_FILE_NAME}`;
    const encoder = new TextEncoder();
    const odd = new Uint8Array([0x67, 0x65, 0x74, 0x20, 0xff, 0xfe, 0x0a]);
    const bytes = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
      return out;
    };
    const old = encoder.encode("old line\n".repeat(HISTORY_TAIL_BYTES / 4));
    await Deno.writeFile(path, bytes(old, odd, encoder.encode("status\n")));
    const history = HistoryFile.open(path, ALLOWING);
    assert(history instanceof HistoryFile);
    assertEquals(history.lines, ["status", "get \ufffd\ufffd", "old line"]);
    assertEquals(
      await Deno.readFile(path),
      bytes(encoder.encode("old line\n"), odd, encoder.encode("status\n")),
    );
  });
});
