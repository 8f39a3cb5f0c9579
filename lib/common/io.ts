/**
 * Byte-level helpers for sockets and files.
 *
 * @module
 */

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
