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

function progress(n: number): number {
  // A writer that takes nothing would be asked again forever.
  if (n <= 0) throw new Deno.errors.WriteZero("The writer took no bytes");
  return n;
}

/**
 * Writes all of `bytes`, looping over partial writes; `onProgress` hears of
 * each one (a slow reader is still a reader).
 *
 * @throws {Deno.errors.WriteZero} if the writer stops taking bytes.
 */
export async function writeAll(
  writer: Writer,
  bytes: Uint8Array,
  onProgress?: (written: number) => void,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    // Most writes take everything at once: no view made for those.
    const rest = written === 0 ? bytes : bytes.subarray(written);
    const n = progress(await writer.write(rest));
    written += n;
    onProgress?.(n);
  }
}

/** Anything with Deno's `writeSync` contract, such as `Deno.stdout`. */
export interface SyncWriter {
  /** Writes some of `bytes`, returning how many were written. */
  writeSync(bytes: Uint8Array): number;
}

/**
 * Writes all of `bytes` synchronously, looping over partial writes.
 *
 * @throws {Deno.errors.WriteZero} if the writer stops taking bytes.
 */
export function writeAllSync(writer: SyncWriter, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    written += progress(writer.writeSync(bytes.subarray(written)));
  }
}

/** Anything with Deno's `read` contract, such as `Deno.stdin`. */
export interface Reader {
  /** Reads into `buf`, resolving to the count, or `null` at the end. */
  read(buf: Uint8Array): Promise<number | null>;
}

/**
 * Whether `conn` is plain TCP (a TLS connection has no Nagle switch: its
 * records go out whole).
 */
export function isTcp(conn: Deno.Conn<Deno.NetAddr>): conn is Deno.TcpConn {
  return "setNoDelay" in conn;
}
