import { assertEquals, assertGreater, assertThrows } from "@std/assert";
import {
  formatFileHeader,
  formatFileTrailer,
  isUtf8,
  parseCommand,
  parseFileHeader,
  parseFileTrailer,
  parseReplyLine,
  REPLY_RETAIN_BYTES,
  ReplyBuffer,
} from "../lib/protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function command(text: string) {
  const bytes = encoder.encode(`__${text}__`);
  return parseCommand(bytes, 2, bytes.length - 2);
}

Deno.test("parseCommand knows the exact command words and echoes the rest", () => {
  assertEquals(command("status"), { kind: "status" });
  assertEquals(command("exit"), { kind: "exit" });
  assertEquals(command("list"), { kind: "list" });
  assertEquals(command("get photo.png"), { kind: "get", name: "photo.png" });
  assertEquals(command("get  spaced name.txt "), {
    kind: "get",
    name: "spaced name.txt",
  });
  assertEquals(command("get"), { kind: "get", name: "" });
  for (
    const text of [
      "Status",
      "exit ",
      " list",
      "getx",
      "gets a",
      "",
      "hello world",
      "exi",
    ]
  ) {
    assertEquals(command(text), { kind: "echo" }, text);
  }
});

Deno.test("parseCommand rejects a get name that is not UTF-8", () => {
  const bytes = new Uint8Array([...encoder.encode("get "), 0xff]);
  assertThrows(() => parseCommand(bytes, 0, bytes.length), TypeError);
});

Deno.test("isUtf8 accepts text and rejects broken sequences", () => {
  const ok = encoder.encode("abc é 🎉");
  assertEquals(isUtf8(ok, 0, ok.length), true);
  assertEquals(isUtf8(new Uint8Array([0x61, 0xc3]), 0, 2), false);
  assertEquals(isUtf8(new Uint8Array([0xed, 0xa0, 0x80]), 0, 3), false); // surrogate
  assertEquals(isUtf8(new Uint8Array([0xff, 0x61]), 1, 2), true); // only the range counts
});

Deno.test("ReplyBuffer writes one-line, multi-line and echo replies", () => {
  const out = new ReplyBuffer(4);
  out.line(250, "é");
  out.lines(211, ["a", "b"], "end");
  const raw = encoder.encode("x250 hiy");
  out.echo(raw, 1, 7);
  assertEquals(
    decoder.decode(out.bytes()),
    "250 é\n211-a\n211-b\n211 end\n250 250 hiACK\n",
  );
  out.clear();
  assertEquals(out.length, 0);
});

Deno.test("ReplyBuffer gives back the memory of a large reply", () => {
  const out = new ReplyBuffer(64);
  out.lines(211, new Array(500).fill("Client01 127.0.0.1:50000"), "end");
  const kept = out.capacity;
  out.clear();
  assertEquals(out.capacity, kept); // a usual reply keeps its room
  out.lines(211, new Array(50_000).fill("Client01 127.0.0.1:50000"), "end");
  assertGreater(out.capacity, REPLY_RETAIN_BYTES);
  out.clear();
  assertEquals(out.capacity, 64);
});

Deno.test("parseReplyLine separates code, continuation and text", () => {
  assertEquals(parseReplyLine("211-Client01"), {
    code: 211,
    last: false,
    text: "Client01",
  });
  assertEquals(parseReplyLine("250 250 x"), {
    code: 250,
    last: true,
    text: "250 x",
  });
  assertEquals(parseReplyLine("250 "), { code: 250, last: true, text: "" });
  assertEquals(parseReplyLine("hello"), null);
  assertEquals(parseReplyLine("25 x"), null);
});

Deno.test("file header and trailer round-trip and reject garbage", () => {
  assertEquals(parseFileHeader(formatFileHeader(52100, "my photo.png")), {
    size: 52100,
    name: "my photo.png",
  });
  assertEquals(parseFileHeader("-1 x"), null);
  assertEquals(parseFileHeader("12"), null);
  assertEquals(parseFileHeader("99999999999999999 x"), null);
  const hex = "a".repeat(64);
  assertEquals(parseFileTrailer(formatFileTrailer(hex)), hex);
  assertEquals(parseFileTrailer("SHA-256 xyz"), null);
  assertEquals(parseFileTrailer("MD5 " + hex), null);
});
