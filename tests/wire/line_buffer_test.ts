import fc from "fast-check";
import {
  INITIAL_CAPACITY,
  LineBuffer,
  LineTooLongError,
  READ_GROWTH_LIMIT,
} from "../../lib/wire/line_buffer.ts";
import { assert, assertEquals, assertThrows } from "../support/assert.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Feeds `input` in chunks of the given sizes and collects the lines. */
function split(input: Uint8Array, chunkSizes: number[], limit = 1 << 20) {
  const lines = new LineBuffer(limit, 16);
  const out: string[] = [];
  let offset = 0;
  let i = 0;
  while (offset < input.length) {
    const space = lines.space();
    const size = Math.min(
      chunkSizes[i++ % chunkSizes.length],
      space.length,
      input.length - offset,
    );
    space.set(input.subarray(offset, offset + size));
    lines.filled(size);
    offset += size;
    while (lines.next()) out.push(decoder.decode(lines.line()));
  }
  return { out, rest: decoder.decode(lines.take(lines.buffered)) };
}

Deno.test("LineBuffer splits LF and CRLF lines and keeps the partial tail", () => {
  const { out, rest } = split(encoder.encode("a\nbb\r\n\nc\rd\nrest"), [1000]);
  assertEquals(out, ["a", "bb", "", "c\rd"]);
  assertEquals(rest, "rest");
});

Deno.test("LineBuffer gives the same lines for every chunk size", () => {
  const text = "héllo\r\n日本語\n🎉🎉\n\nlast line\n";
  const input = encoder.encode(text);
  const expected = ["héllo", "日本語", "🎉🎉", "", "last line"];
  for (let size = 1; size <= input.length; size++) {
    assertEquals(split(input, [size]).out, expected, `chunk size ${size}`);
  }
});

Deno.test("LineBuffer keeps multi-byte characters split across every boundary", () => {
  const input = encoder.encode("a€b𝄞c\n");
  for (let cut = 1; cut < input.length; cut++) {
    assertEquals(
      split(input, [cut, input.length]).out,
      ["a€b𝄞c"],
      `cut at ${cut}`,
    );
  }
});

Deno.test("LineBuffer accepts a line of exactly the limit, CRLF included", () => {
  const line = "x".repeat(100);
  assertEquals(split(encoder.encode(line + "\r\n"), [7], 100).out, [line]);
  assertEquals(split(encoder.encode(line + "\n"), [100], 100).out, [line]);
});

Deno.test("LineBuffer rejects a line over the limit without buffering more", () => {
  const lines = new LineBuffer(100, 16);
  let fed = 0;
  assertThrows(
    () => {
      for (;;) {
        const space = lines.space();
        space.fill(0x78);
        lines.filled(space.length);
        fed += space.length;
        lines.next();
      }
    },
    LineTooLongError,
    "Line is longer than 100 bytes",
  );
  assertEquals(fed, 102); // the limit plus room for CRLF, never more
  assertEquals(lines.bytes.length, 102);
});

Deno.test("LineBuffer rejects a complete line one byte over the limit", () => {
  assertThrows(
    () => split(encoder.encode("x".repeat(101) + "\n"), [200], 100),
    LineTooLongError,
  );
});

Deno.test("LineBuffer take() hands out raw bytes after a header line", () => {
  const lines = new LineBuffer(64);
  const input = encoder.encode("150 5 f\nABCDE226 done\n");
  lines.space().set(input);
  lines.filled(input.length);
  lines.next();
  assertEquals(decoder.decode(lines.line()), "150 5 f");
  assertEquals(decoder.decode(lines.take(5)), "ABCDE");
  lines.next();
  assertEquals(decoder.decode(lines.line()), "226 done");
  assertEquals(lines.next(), false);
});

Deno.test("LineBuffer refuses a limit that is not a positive integer", () => {
  for (const limit of [0, -1, 1.5, NaN]) {
    assertThrows(() => new LineBuffer(limit), RangeError, "positive integer");
  }
  assertEquals(split(encoder.encode("a\n"), [1], 1).out, ["a"]);
});

Deno.test("LineBuffer reproduces any stream under any chunking (property)", () => {
  // A failure prints its seed and the smallest input that shows it;
  // `fc.assert(..., { seed, path })` replays it.
  const piece = fc.constantFrom(
    "a",
    "é",
    "🎉",
    "\r",
    "\n",
    "\r\n",
    " ",
    "\u0000",
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 400 }).map((pieces) => pieces.join("")),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
      (text, sizes) => {
        const expected = text.split("\n");
        const tail = expected.pop()!;
        const want = expected.map((line) =>
          line.endsWith("\r") ? line.slice(0, -1) : line
        );
        const got = split(encoder.encode(text), sizes);
        assertEquals(got.out, want);
        assertEquals(got.rest, tail);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("LineBuffer shrinks back once a long line is handed out", () => {
  const lines = new LineBuffer(100_000, 16);
  const feed = (text: string) => {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) {
      const space = lines.space();
      const n = Math.min(space.length, bytes.length - at);
      space.set(bytes.subarray(at, at + n));
      lines.filled(n);
      at += n;
    }
  };
  feed("x".repeat(50_000) + "\nab");
  assert(lines.next());
  assertEquals(lines.lineEnd - lines.lineStart, 50_000);
  // "ab" still pending: the room stays.
  assertEquals(lines.space().length + lines.buffered, lines.bytes.length);
  assert(lines.bytes.length >= 50_000);
  feed("\n");
  assert(lines.next());
  assertEquals(decoder.decode(lines.line()), "ab");
  // Nothing pending: back to the first size, and still framing lines.
  assertEquals(lines.space().length, 16);
  feed("cd\n");
  assert(lines.next());
  assertEquals(decoder.decode(lines.line()), "cd");
});

/** Reads up to `count` lines of 64 bytes into `buffer`, as a socket would; the room it had. */
function readLines(buffer: LineBuffer, count: number): number {
  const space = buffer.space();
  const line = encoder.encode("x".repeat(63) + "\n");
  const fits = Math.min(count, Math.floor(space.length / line.length));
  for (let i = 0; i < fits; i++) space.set(line, i * line.length);
  buffer.filled(fits * line.length);
  while (buffer.next()) { /* answered */ }
  return space.length;
}

Deno.test("LineBuffer reads more at once while reads come back full, and goes back to its first size when the client goes quiet", () => {
  const buffer = new LineBuffer(64 * 1024);
  assertEquals(buffer.space().length, INITIAL_CAPACITY);
  // A client with many lines in flight: every read comes back full.
  const offered: number[] = [];
  for (let i = 0; i < 10; i++) offered.push(readLines(buffer, 10_000));
  assertEquals(offered, [512, 1024, 2048, 4096, 8192, ...Array(5).fill(16384)]);
  assertEquals(READ_GROWTH_LIMIT, 16384);
  // A line at a time: the room stays for a while, then is given back.
  for (let i = 0; i < 63; i++) readLines(buffer, 1);
  assertEquals(buffer.bytes.length, READ_GROWTH_LIMIT);
  readLines(buffer, 1);
  assertEquals(buffer.space().length, INITIAL_CAPACITY);
  // A read that leaves room does not grow the buffer.
  for (let i = 0; i < 5; i++) readLines(buffer, 2);
  assertEquals(buffer.bytes.length, INITIAL_CAPACITY);
});

Deno.test("takePartial makes the bytes after the last line end a line, CR left out, within the limit", () => {
  const lines = new LineBuffer(8);
  assertEquals(lines.takePartial(), false);
  const feed = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    lines.space().set(bytes);
    lines.filled(bytes.length);
  };
  feed("one\ntwo\r");
  assertEquals(lines.next(), true);
  assertEquals(new TextDecoder().decode(lines.line()), "one");
  assertEquals(lines.next(), false);
  assertEquals(lines.takePartial(), true);
  assertEquals(new TextDecoder().decode(lines.line()), "two");
  assertEquals(lines.buffered, 0);
  assertEquals(lines.takePartial(), false);
  feed("three");
  assertEquals(lines.takePartial(), true);
  assertEquals(new TextDecoder().decode(lines.line()), "three");
  feed("ninebytes");
  assertThrows(() => lines.takePartial(), LineTooLongError);
});
