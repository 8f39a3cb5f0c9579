/**
 * Micro-benchmarks of the line framing: 1 MiB of 64-byte lines per
 * iteration, so 1 ms per iteration is about 1 GB/s (16,384 lines).
 */

import {
  isUtf8,
  LineBuffer,
  parseRequest,
  ReplyWriter,
} from "../lib/wire/mod.ts";

const INPUT_BYTES = 1 << 20;
const input = new Uint8Array(INPUT_BYTES).fill(0x78);
for (let i = 63; i < input.length; i += 64) input[i] = 0x0a;
const READ_BYTES = 64 * 1024; // what one socket read typically brings

function feed(lines: LineBuffer, each: (l: LineBuffer) => void): number {
  let count = 0;
  for (let offset = 0; offset < input.length; offset += READ_BYTES) {
    lines.space().set(input.subarray(offset, offset + READ_BYTES));
    lines.filled(READ_BYTES);
    while (lines.next()) {
      each(lines);
      count++;
    }
  }
  return count;
}

const splitter = new LineBuffer(64 * 1024, 128 * 1024);
Deno.bench("split 1 MiB of 64-byte lines (bytes/s: 1 MiB / time)", {
  group: "framing",
  baseline: true,
}, () => {
  if (feed(splitter, () => {}) !== INPUT_BYTES / 64) {
    throw new Error("miscount");
  }
});

const withEcho = new LineBuffer(64 * 1024, 128 * 1024);
const out = new ReplyWriter(2 * INPUT_BYTES);
Deno.bench("split, check, parse and build echo replies for 16,384 lines", {
  group: "framing",
}, () => {
  out.clear();
  // The server's work per line: check UTF-8, look for a request word, echo.
  feed(withEcho, (l) => {
    const { bytes, lineStart, lineEnd } = l;
    if (
      isUtf8(bytes, lineStart, lineEnd) &&
      parseRequest(bytes, lineStart, lineEnd) === null
    ) {
      out.echo(bytes, lineStart, lineEnd);
    }
  });
});
