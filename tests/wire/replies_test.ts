import { REPLY_RETAIN_BYTES, ReplyWriter } from "../../lib/wire/replies.ts";
import { assertEquals, assertGreater } from "../support/assert.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function written(build: (out: ReplyWriter) => void): string {
  const out = new ReplyWriter(4);
  build(out);
  return decoder.decode(out.bytes());
}

Deno.test("ReplyWriter writes every reply with its code and words", () => {
  const cases: [(out: ReplyWriter) => void, string][] = [
    [(out) => out.greeting("Client01"), "220 Connected as Client01\n"],
    [
      (out) => out.serverFull(3),
      "421 Server is full: 3 of 3 clients connected; try again later\n",
    ],
    [
      (out) => out.closing({ kind: "shutdown" }),
      "421 Server is shutting down\n",
    ],
    [
      (out) => out.closing({ kind: "idle", timeoutMs: 300 }),
      "421 Idle timeout: no request for 0.3 s; closing\n",
    ],
    [(out) => out.status(["a", "b"], "end"), "211-a\n211-b\n211 end\n"],
    [(out) => out.goodbye("Client02"), "221 Goodbye Client02\n"],
    [(out) => out.fileList(["x  1 B"], "1 file"), "212-x  1 B\n212 1 file\n"],
    [
      (out) => out.noFiles(),
      "212 No files to offer: the folder is empty\n",
    ],
    [(out) => out.fileHeader(5, "a b"), "150 5 a b\n"],
    [
      (out) => out.fileTrailer("f".repeat(64)),
      `226 SHA-256 ${"f".repeat(64)}\n`,
    ],
    [
      (out) => out.getUsage(),
      "501 Usage: get <name> (names come from 'list')\n",
    ],
    [
      (out) => out.refusal({ reason: "missing", name: "é" }),
      "550 No such file: é\n",
    ],
    [
      (out) => out.refusal({ reason: "unreadable", name: "f", detail: "EIO" }),
      "451 Cannot read f: EIO\n",
    ],
    [
      (out) => out.listFailed("Too many open files"),
      "451 Cannot list the files: Too many open files\n",
    ],
    [
      (out) => out.notUtf8(),
      "500 Line is not valid UTF-8; it was ignored\n",
    ],
    [
      (out) => out.lineTooLong(1024),
      "500 Line is longer than 1024 bytes; closing\n",
    ],
  ];
  for (const [build, text] of cases) assertEquals(written(build), text);
});

Deno.test("ReplyWriter answers time with the local time in ISO 8601", () => {
  const at = new Date(2025, 1, 8, 20, 8, 47, 904);
  const text = written((out) => out.time(at));
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  assertEquals(text, `213 2025-02-08T20:08:47.904${sign}${hh}:${mm}\n`);
  assertEquals(
    new Date(text.slice(4, -1)).getTime(),
    at.getTime(),
    "a program reads back the same instant",
  );
});

Deno.test("ReplyWriter echoes raw bytes and collects replies in order", () => {
  const out = new ReplyWriter(4);
  out.greeting("é");
  const raw = encoder.encode("x250 hiy");
  out.echo(raw, 1, 7);
  out.echo(raw, 0, 0);
  assertEquals(
    decoder.decode(out.bytes()),
    "220 Connected as é\n250 250 hiACK\n250 ACK\n",
  );
  assertEquals(out.length, out.bytes().length);
  out.clear();
  assertEquals(out.length, 0);
  assertEquals(out.bytes().length, 0);
});

Deno.test("ReplyWriter gives back the memory of a large reply", () => {
  const out = new ReplyWriter(64);
  const line = "Client01 127.0.0.1:50000"; // 29 bytes with code and LF
  // About 14 kB: the buffer grows to 16 KiB, which it may keep.
  out.status(new Array(480).fill(line), "end");
  assertEquals(out.capacity, REPLY_RETAIN_BYTES);
  out.clear();
  assertEquals(out.capacity, REPLY_RETAIN_BYTES);
  // About 20 kB (an echo of a long line): past what it may keep, so it
  // starts small again.
  out.status(new Array(700).fill(line), "end");
  assertGreater(out.capacity, REPLY_RETAIN_BYTES);
  out.clear();
  assertEquals(out.capacity, 64);
  assertEquals(REPLY_RETAIN_BYTES, 16 * 1024);
});
