/**
 * Streaming a file's bytes to a sink with SHA-256, reading the file once.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Size of each read from disk and write to the socket. */
export const CHUNK_BYTES = 1 << 20;

/** Thrown when a file holds fewer bytes than were promised. */
export class ShortFileError extends Error {
  /** Creates the error for a file that ended `missing` bytes early. */
  constructor(missing: number) {
    super(`File ended ${missing} bytes early; it changed during the transfer`);
    this.name = "ShortFileError";
  }
}

/** Options of {@linkcode streamFile}. */
export interface StreamFileOptions {
  /** Hash the bytes on the way; `false` when the digest is already known. */
  hash?: boolean;
  /** Stops the transfer between chunks. */
  signal?: AbortSignal;
  /** Bytes read and written per step; defaults to {@linkcode CHUNK_BYTES}. */
  chunkBytes?: number;
}

// Transfer buffers are reused: a fresh 1 MiB pair per download would churn
// the allocator, and freed large blocks stay in the process as fragments.
const POOL_LIMIT = 16;
const pool: Uint8Array[] = [];

function takeBuffer(): Uint8Array {
  return pool.pop() ?? new Uint8Array(CHUNK_BYTES);
}

function giveBack(buffer: Uint8Array): void {
  if (pool.length < POOL_LIMIT) pool.push(buffer);
}

async function readSome(
  file: Deno.FsFile,
  buf: Uint8Array,
  missing: number,
): Promise<Uint8Array> {
  const n = await file.read(buf);
  if (n === null) throw new ShortFileError(missing);
  return buf.subarray(0, n);
}

/**
 * Sends exactly `size` bytes from `file` to `sink`, one chunk at a time;
 * the next chunk is read from disk while the current one is written, and
 * `sink` applies backpressure simply by not resolving.
 *
 * @returns the SHA-256 of the bytes sent as lowercase hex, or `null` when
 * hashing was turned off.
 * @throws {ShortFileError} if the file ends before `size` bytes.
 * @throws the signal's reason if it aborts, or whatever `sink` throws.
 */
export async function streamFile(
  file: Deno.FsFile,
  size: number,
  sink: (chunk: Uint8Array) => Promise<void>,
  options: StreamFileOptions = {},
): Promise<string | null> {
  const { hash = true, signal, chunkBytes = CHUNK_BYTES } = options;
  const hasher = hash ? createHash("sha256") : null;
  if (size === 0) return hasher?.digest("hex") ?? null;
  const pooled = chunkBytes === CHUNK_BYTES;
  const buffers = pooled
    ? [takeBuffer(), takeBuffer()]
    : [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
  let remaining = size;
  let which = 0;
  let reading: Promise<Uint8Array> | null = readSome(
    file,
    buffers[0].subarray(0, Math.min(chunkBytes, remaining)),
    remaining,
  );
  try {
    while (reading) {
      const chunk: Uint8Array = await reading;
      reading = null;
      remaining -= chunk.length;
      which ^= 1;
      if (remaining > 0) {
        const next = buffers[which].subarray(
          0,
          Math.min(chunkBytes, remaining),
        );
        reading = readSome(file, next, remaining);
      }
      hasher?.update(chunk);
      signal?.throwIfAborted();
      await sink(chunk);
    }
  } catch (error) {
    // Settle the read in flight so no operation outlives the transfer.
    await (reading as Promise<Uint8Array> | null)?.catch(() => {});
    throw error;
  } finally {
    if (pooled) buffers.forEach(giveBack);
  }
  return hasher?.digest("hex") ?? null;
}

function identity(info: Deno.FileInfo): string | null {
  if (!info.mtime) return null;
  return `${info.dev}:${info.ino}:${info.size}:${info.mtime.getTime()}:${
    info.ctime?.getTime() ?? ""
  }`;
}

/**
 * Remembers the SHA-256 of files already sent, keyed by path and by what
 * changes whenever the content does (inode, size, modification and change
 * times), so a repeated download streams at socket speed without hashing.
 */
export class DigestCache {
  #entries = new Map<string, { identity: string; digest: string }>();
  #capacity: number;

  /** Creates a cache holding at most `capacity` digests. */
  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  /** The digest of the file at `path`, if known for this exact version. */
  get(path: string, info: Deno.FileInfo): string | null {
    const entry = this.#entries.get(path);
    const id = identity(info);
    return entry && id !== null && entry.identity === id ? entry.digest : null;
  }

  /** Records the digest of the file at `path` in the version `info` names. */
  set(path: string, info: Deno.FileInfo, digest: string): void {
    const id = identity(info);
    if (id === null) return;
    this.#entries.delete(path);
    this.#entries.set(path, { identity: id, digest });
    if (this.#entries.size > this.#capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}
