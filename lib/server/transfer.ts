/**
 * Streaming a file's bytes to a sink with SHA-256, reading the file once.
 *
 * @module
 */

import type { Hash } from "node:crypto";
import type { HashThreads } from "./hash_threads.ts";

// Loaded at the first hash on this thread: Node's crypto module costs the
// process about 5 MiB, which a server that has not sent a file yet, or
// hashes large ones on its hashing threads, need not carry.
let newSha256: (() => Hash) | undefined;

async function sha256(): Promise<Hash> {
  if (newSha256 === undefined) {
    const { createHash } = await import("node:crypto");
    newSha256 = () => createHash("sha256");
  }
  return newSha256();
}

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
  /**
   * Bytes at the start to read and hash but not send: the part of the file
   * a client that resumes already has.
   */
  skip?: number;
  /** Told of each chunk of those that is hashed: bytes hashed so far. */
  onSkipped?: (hashed: number) => Promise<void>;
  /** Stops the transfer between chunks. */
  signal?: AbortSignal;
  /** Bytes read and written per step; defaults to {@linkcode CHUNK_BYTES}. */
  chunkBytes?: number;
  /** Threads that may hash a large file beside the writes. */
  threads?: HashThreads;
}

/** Files at least this large are hashed on a second thread, if one is free. */
export const PARALLEL_HASH_BYTES = 32 << 20;
/** Chunks a hashing thread may hold before the transfer waits for it. */
export const HASH_BACKLOG = 4;

// Transfer buffers are reused: a fresh 1 MiB pair per download would churn
// the allocator, and freed large blocks stay in the process as fragments.
const pool: Uint8Array[] = [];

/** Most transfer buffers kept for reuse between downloads. */
export const POOL_LIMIT = 2;

/** How many transfer buffers are kept for reuse now (at most {@linkcode POOL_LIMIT}). */
export function pooledBuffers(): number {
  return pool.length;
}

/**
 * Where the bytes of a transfer go to be hashed. `take` hands out a buffer
 * to read into; `hash` takes it back once its bytes are sent.
 */
interface Hasher {
  take(): Promise<Uint8Array>;
  hash(buffer: Uint8Array, length: number): void;
  digest(): Promise<string | null>;
  dispose(): void;
}

/** Hashes on this thread (or not at all), cycling two buffers. */
class InlineHasher implements Hasher {
  readonly #hash: Hash | null;
  readonly #chunkBytes: number;
  readonly #free: Uint8Array[] = [];

  constructor(hash: Hash | null, chunkBytes: number) {
    this.#hash = hash;
    this.#chunkBytes = chunkBytes;
  }

  take(): Promise<Uint8Array> {
    return Promise.resolve(
      this.#free.pop() ??
        (this.#chunkBytes === CHUNK_BYTES ? pool.pop() : undefined) ??
        new Uint8Array(this.#chunkBytes),
    );
  }

  hash(buffer: Uint8Array, length: number): void {
    this.#hash?.update(buffer.subarray(0, length));
    this.#free.push(buffer);
  }

  digest(): Promise<string | null> {
    return Promise.resolve(this.#hash?.digest("hex") ?? null);
  }

  dispose(): void {
    if (this.#chunkBytes !== CHUNK_BYTES) return;
    for (const buffer of this.#free.splice(0)) {
      if (pool.length < POOL_LIMIT) pool.push(buffer);
    }
  }
}

/**
 * Hashes on a worker thread, so SHA-256 (about 1.7 GB/s on one core) runs
 * beside the socket writes instead of between them. Buffers travel to the
 * worker and back without copies; at most {@linkcode HASH_BACKLOG} wait
 * there, so a slow hash slows the transfer instead of growing memory.
 */
class ParallelHasher implements Hasher {
  readonly #threads: HashThreads;
  readonly #worker: Worker;
  readonly #free: Uint8Array[] = [];
  readonly #waiting: PromiseWithResolvers<Uint8Array>[] = [];
  readonly #digest = Promise.withResolvers<string>();
  // The buffers the thread kept from its last download, once they arrive.
  readonly #lent = Promise.withResolvers<void>();
  #atWorker = 0;
  #error: Error | null = null;
  #done = false;
  #finishing = false;

  constructor(threads: HashThreads, worker: Worker) {
    this.#threads = threads;
    this.#worker = worker;
    worker.onmessage = (
      event: MessageEvent<ArrayBuffer | string | { lent: ArrayBuffer[] }>,
    ) => {
      const data = event.data;
      if (typeof data === "string") {
        this.#done = true;
        this.#digest.resolve(data);
      } else if (data instanceof ArrayBuffer) {
        this.#atWorker--;
        this.#reuse(data);
      } else {
        for (const buffer of data.lent) this.#reuse(buffer);
        this.#lent.resolve();
      }
    };
    // A failed worker fails this transfer, never the whole server.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#error = new Error(`Hashing failed: ${event.message}`);
      this.#digest.reject(this.#error);
      this.#lent.reject(this.#error);
      for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#error);
    };
    this.#digest.promise.catch(() => {}); // observed by digest() when asked
    this.#lent.promise.catch(() => {}); // observed by take()
    worker.postMessage("lend");
  }

  #reuse(backing: ArrayBuffer): void {
    if (this.#finishing) {
      // The transfer is over: the thread keeps it for the next one.
      this.#worker.postMessage({ keep: [backing] }, [backing]);
      return;
    }
    const buffer = new Uint8Array(backing);
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(buffer);
    else this.#free.push(buffer);
  }

  async take(): Promise<Uint8Array> {
    await this.#lent.promise;
    if (this.#error) throw this.#error;
    const free = this.#free.pop();
    if (free) return free;
    if (this.#atWorker < HASH_BACKLOG) return new Uint8Array(CHUNK_BYTES);
    const waiter = Promise.withResolvers<Uint8Array>();
    this.#waiting.push(waiter);
    return await waiter.promise;
  }

  hash(buffer: Uint8Array, length: number): void {
    this.#atWorker++;
    const { buffer: backing } = buffer as Uint8Array<ArrayBuffer>;
    this.#worker.postMessage({ buffer: backing, length }, [backing]);
  }

  digest(): Promise<string> {
    this.#finishing = true;
    const keep = this.#free.splice(0).map((buffer) =>
      (buffer as Uint8Array<ArrayBuffer>).buffer
    );
    this.#worker.postMessage({ keep }, keep);
    this.#worker.postMessage(null);
    return this.#digest.promise;
  }

  dispose(): void {
    // A thread that gave its digest has nothing in flight and can serve
    // the next download; one cut mid-way or failed is ended.
    if (this.#done && this.#error === null) {
      this.#threads.release(this.#worker);
    } else {
      this.#threads.discard(this.#worker);
    }
  }
}

async function readSome(
  file: Deno.FsFile,
  buf: Uint8Array,
  missing: number,
): Promise<number> {
  const n = await file.read(buf);
  if (n === null) throw new ShortFileError(missing);
  return n;
}

/**
 * Sends exactly `size` bytes from `file` to `sink` (all but the first
 * `options.skip`, which are only hashed), one chunk at a time;
 * the next chunk is read from disk while the current one is written, large
 * files are hashed on a second thread (one of `options.threads`, when one is
 * free), and `sink` applies backpressure
 * simply by not resolving.
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
  const {
    hash = true,
    skip = 0,
    onSkipped,
    signal,
    chunkBytes = CHUNK_BYTES,
    threads,
  } = options;
  const worker = hash && size >= PARALLEL_HASH_BYTES &&
      chunkBytes === CHUNK_BYTES
    ? threads?.acquire() ?? null
    : null;
  const hasher: Hasher = worker !== null
    ? new ParallelHasher(threads!, worker)
    : new InlineHasher(hash ? await sha256() : null, chunkBytes);
  let reading: Promise<number> | null = null;
  try {
    if (size === 0) return await hasher.digest();
    let remaining = size;
    // Bytes still to hash without sending; a chunk is one or the other.
    let skipping = Math.min(skip, size);
    const readInto = (buf: Uint8Array) =>
      readSome(
        file,
        buf.subarray(0, Math.min(chunkBytes, skipping || remaining)),
        remaining,
      );
    let current = await hasher.take();
    reading = readInto(current);
    while (reading) {
      const length: number = await reading;
      reading = null;
      remaining -= length;
      const skipped = skipping > 0;
      if (skipped) skipping -= length;
      const sent = current;
      if (remaining > 0) {
        current = await hasher.take();
        reading = readInto(current);
      }
      signal?.throwIfAborted();
      if (!skipped) await sink(sent.subarray(0, length));
      hasher.hash(sent, length);
      if (skipped) await onSkipped?.(Math.min(skip, size) - skipping);
    }
    return await hasher.digest();
  } catch (error) {
    // Settle the read in flight so no operation outlives the transfer.
    await (reading as Promise<number> | null)?.catch(() => {});
    throw error;
  } finally {
    hasher.dispose();
  }
}
