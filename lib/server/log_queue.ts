/**
 * A log whose writes never hold up serving: lines are queued and written
 * without blocking, so a log nobody reads (a full pipe, a terminal paused
 * with Ctrl+S) only fills a bounded queue; lines that do not fit are
 * dropped, counted, and the count is logged once the output moves again.
 *
 * @module
 */

/** Most bytes of log lines waiting for a slow output. */
export const MAX_LOG_QUEUE_BYTES = 1024 * 1024;

/** Where a {@linkcode QueuedLog} writes: `Deno.stdout`, or a test's own. */
export interface LogOutput {
  /** Writes some of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** A log whose writes never block the caller (see the module docs). */
export class QueuedLog {
  readonly #output: LogOutput;
  readonly #dropNotice: (count: number) => string;
  readonly #maxQueued: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #dropped = 0;
  #writing: Promise<void> = Promise.resolve();
  #draining = false;
  #broken = false;

  /**
   * Writes lines to `output`, queueing at most `maxQueuedBytes`; a count
   * of lines dropped is said in the line `dropNotice` makes of it.
   */
  constructor(
    output: LogOutput,
    dropNotice: (count: number) => string,
    maxQueuedBytes = MAX_LOG_QUEUE_BYTES,
  ) {
    this.#output = output;
    this.#dropNotice = dropNotice;
    this.#maxQueued = maxQueuedBytes;
  }

  /** Lines dropped since the last report of them. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves once every queued line is written (or the output failed). */
  async flushed(): Promise<void> {
    while (this.#draining) await this.#writing;
  }

  /** Queues one line (without its line end) to be written. */
  add(text: string): void {
    const line = encoder.encode(text + "\n");
    if (this.#broken || this.#queued + line.length > this.#maxQueued) {
      this.#dropped++;
      return;
    }
    this.#queue.push(line);
    this.#queued += line.length;
    if (!this.#draining) {
      this.#draining = true;
      this.#writing = this.#drain();
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const chunk = concat(this.#queue);
        this.#queue = [];
        for (let at = 0; at < chunk.length;) {
          at += await this.#output.write(chunk.subarray(at));
        }
        this.#queued -= chunk.length;
        if (this.#queue.length === 0 && this.#dropped > 0) this.#reportDrops();
      }
    } catch {
      // The output is gone (a closed pipe): nothing more can be logged.
      this.#broken = true;
      this.#queue = [];
      this.#queued = 0;
    } finally {
      // Before this call's promise settles: a line added from now on
      // starts a new drain.
      this.#draining = false;
    }
  }

  #reportDrops(): void {
    const count = this.#dropped;
    this.#dropped = 0;
    const line = encoder.encode(this.#dropNotice(count) + "\n");
    this.#queue.push(line);
    this.#queued += line.length;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
