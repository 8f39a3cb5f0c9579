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
      (out) => out.closing({ kind: "full", maxClients: 3 }),
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
    [(out) => out.lines(211, ["a", "b"], "end"), "211-a\n211-b\n211 end\n"],
    [(out) => out.lines(212, [], "none"), "212 none\n"],
    [(out) => out.line(221, "Goodbye Client02"), "221 Goodbye Client02\n"],
    [(out) => out.line(550, "No such file: é"), "550 No such file: é\n"],
    [(out) => out.fileHeader(5, "a b"), "150 5 a b\n"],
    [
      (out) => out.fileTrailer("f".repeat(64)),
      `226 SHA-256 ${"f".repeat(64)}\n`,
    ],
  ];
  for (const [build, text] of cases) assertEquals(written(build), text);
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
  out.lines(211, new Array(480).fill(line), "end");
  assertEquals(out.capacity, REPLY_RETAIN_BYTES);
  out.clear();
  assertEquals(out.capacity, REPLY_RETAIN_BYTES);
  // About 20 kB (an echo of a long line): past what it may keep, so it
  // starts small again.
  out.lines(211, new Array(700).fill(line), "end");
  assertGreater(out.capacity, REPLY_RETAIN_BYTES);
  out.clear();
  assertEquals(out.capacity, 0);
  // The next reply makes room again, at least the initial capacity.
  out.line(200, "OK");
  assertEquals(out.capacity, 64);
  assertEquals(REPLY_RETAIN_BYTES, 16 * 1024);
});

Deno.test("ReplyWriter holds no memory before its first reply, nor once released", () => {
  const out = new ReplyWriter(64);
  assertEquals(out.capacity, 0);
  out.greeting("Client01");
  assertGreater(out.capacity, 0);
  out.release();
  assertEquals([out.capacity, out.length], [0, 0]);
  out.line(200, "OK");
  assertEquals(new TextDecoder().decode(out.bytes()), "200 OK\n");
});
