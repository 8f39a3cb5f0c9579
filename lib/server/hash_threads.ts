/**
 * A small pool of hashing threads, shared by every download of a server.
 * A thread costs about 15 MiB, so there are only a few, each reused from
 * one large download to the next; a download that finds none free hashes
 * on the main thread instead of waiting. A thread idle for a while is
 * ended, so memory returns to its level before the load.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../common/mod.ts";

/** Most transfer buffers a thread keeps between downloads. */
export const MAX_KEPT_BUFFERS = 8;
/** Most hashing threads at once. */
export const MAX_HASH_THREADS = 2;

// The thread's code. It is loaded from a blob URL rather than a file so the
// server needs no read permission beyond its files folder, and compiled
// binaries need nothing extra. It hashes chunks in order and sends each
// buffer back for reuse; `null` asks for the digest and starts a new hash.
// Between downloads the thread keeps the transfer's buffers (`keep`) and
// lends them to the next one (`lend`): buffers a thread holds are freed
// when it ends, where ones left to the server's collector linger.
const HASH_WORKER_SOURCE = `
import { createHash } from "node:crypto";
let hash = createHash("sha256");
const kept = [];
self.onmessage = (event) => {
  const data = event.data;
  if (data === null) {
    self.postMessage(hash.digest("hex"));
    hash = createHash("sha256");
  } else if (data === "lend") {
    const lent = kept.splice(0);
    self.postMessage({ lent }, lent);
  } else if (data.keep) {
    for (const buffer of data.keep) if (kept.length < ${MAX_KEPT_BUFFERS}) kept.push(buffer);
  } else {
    hash.update(new Uint8Array(data.buffer, 0, data.length));
    self.postMessage(data.buffer, [data.buffer]);
  }
};
`;
let hashWorkerUrl: string | undefined;

/** Options of {@linkcode HashThreads}. */
export interface HashThreadsOptions {
  /** Most threads at once (the server has {@linkcode MAX_HASH_THREADS}). */
  max: number;
  /**
   * End a thread idle this long: soon enough that a server is back to its
   * idle memory well within ten seconds of a large download.
   */
  idleMs: number;
  /** Where the time comes from. */
  clock: Clock;
}

/** The hashing threads of one server. */
export class HashThreads implements Disposable {
  readonly #options: HashThreadsOptions;
  readonly #idle = new Map<Worker, TimerHandle>();
  #alive = 0;
  #closed = false;
  #noneAlive: PromiseWithResolvers<void> | null = null;

  /** Creates an empty pool; threads start when first needed. */
  constructor(options: HashThreadsOptions) {
    this.#options = options;
  }

  /** Threads running now, busy or idle. */
  get alive(): number {
    return this.#alive;
  }

  /** A thread for one download, or `null` when all are busy. */
  acquire(): Worker | null {
    for (const [worker, timer] of this.#idle) {
      this.#options.clock.clearTimer(timer);
      this.#idle.delete(worker);
      return worker;
    }
    if (this.#closed || this.#alive >= this.#options.max) return null;
    hashWorkerUrl ??= URL.createObjectURL(
      new Blob([HASH_WORKER_SOURCE], { type: "text/javascript" }),
    );
    this.#alive++;
    return new Worker(hashWorkerUrl, { type: "module" });
  }

  /** Takes back a thread whose download ended with its digest. */
  release(worker: Worker): void {
    worker.onmessage = null;
    worker.onerror = null;
    if (this.#closed) return this.discard(worker);
    const { clock, idleMs } = this.#options;
    this.#idle.set(
      worker,
      clock.setTimer(() => {
        this.#idle.delete(worker);
        this.discard(worker);
      }, idleMs),
    );
  }

  /** Ends a thread that failed or whose download was cut mid-way. */
  discard(worker: Worker): void {
    worker.terminate();
    if (--this.#alive === 0) this.#noneAlive?.resolve();
  }

  /** Resolves once no thread is running. */
  noneAlive(): Promise<void> {
    if (this.#alive === 0) return Promise.resolve();
    this.#noneAlive ??= Promise.withResolvers<void>();
    return this.#noneAlive.promise.finally(() => this.#noneAlive = null);
  }

  /** Ends the idle threads; busy ones end when their download does. */
  close(): void {
    this.#closed = true;
    for (const [worker, timer] of this.#idle) {
      this.#options.clock.clearTimer(timer);
      this.#idle.delete(worker);
      this.discard(worker);
    }
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
