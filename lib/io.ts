/**
 * Byte-level helpers for sockets and files.
 *
 * @module
 */

import { LineBuffer } from "./line_buffer.ts";

/** Anything with Deno's `write` contract: may write fewer bytes than asked. */
export interface Writer {
  /** Writes some of `bytes`, resolving to how many were written. */
  write(bytes: Uint8Array): Promise<number>;
}

/** Writes all of `bytes`, looping over partial writes. */
export async function writeAll(
  writer: Writer,
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await writer.write(bytes.subarray(written));
  }
}

/** Anything with Deno's `read` contract, such as `Deno.stdin`. */
export interface Reader {
  /** Reads into `buf`, resolving to the count, or `null` at the end. */
  read(buf: Uint8Array): Promise<number | null>;
}

/**
 * Yields the UTF-8 lines of `reader` without their LF or CRLF, the last one
 * too when the input does not end with a line break.
 */
export async function* readLines(
  reader: Reader,
  maxLineBytes = 16 * 1024 * 1024,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const lines = new LineBuffer(maxLineBytes);
  for (;;) {
    const n = await reader.read(lines.space());
    if (n === null) break;
    lines.filled(n);
    while (lines.next()) yield decoder.decode(lines.line());
  }
  const rest = lines.take(lines.buffered);
  if (rest.length > 0) yield decoder.decode(rest);
}
