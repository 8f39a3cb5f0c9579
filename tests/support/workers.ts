/**
 * Counting worker threads: a test can tell whether code it runs started
 * one (a large download is hashed on a second thread; a repeat of it is
 * not hashed at all).
 *
 * @module
 */

/**
 * Runs `fn` while every `new Worker`, every hashing message posted to any
 * worker (a chunk, or the request for a digest), every buffer handed to a
 * worker to keep, and every worker ended is counted, and returns its
 * result with the counts. Workers run as usual.
 */
export async function countingWorkers<T>(
  fn: () => Promise<T>,
): Promise<
  {
    result: T;
    started: number;
    messages: number;
    kept: number;
    terminated: number;
  }
> {
  const Original = globalThis.Worker;
  // Seen as one signature: the overloads of postMessage do not matter here.
  const proto = Original.prototype as unknown as {
    postMessage(message: unknown, transfer?: Transferable[]): void;
    terminate(): void;
  };
  const originalPost = proto.postMessage;
  const originalTerminate = proto.terminate;
  let terminated = 0;
  proto.terminate = function () {
    terminated++;
    originalTerminate.call(this);
  };
  let started = 0;
  let messages = 0;
  let kept = 0;
  globalThis.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started++;
    }
  };
  proto.postMessage = function (message, transfer) {
    const hashing = message === null ||
      (typeof message === "object" && "length" in message);
    if (hashing) messages++;
    kept += (message as { keep?: ArrayBuffer[] } | null)?.keep?.length ?? 0;
    originalPost.call(this, message, transfer);
  };
  try {
    const result = await fn();
    return { result, started, messages, kept, terminated };
  } finally {
    globalThis.Worker = Original;
    proto.postMessage = originalPost;
    proto.terminate = originalTerminate;
  }
}

/**
 * Runs `fn` while `new Worker` makes a `Fake` instead (a worker that fails,
 * say), and returns what `fn` returns.
 */
export async function withFakeWorker<T>(
  Fake: new (url: string | URL, options?: WorkerOptions) => unknown,
  fn: () => Promise<T>,
): Promise<T> {
  const Original = globalThis.Worker;
  globalThis.Worker = Fake as typeof Worker;
  try {
    return await fn();
  } finally {
    globalThis.Worker = Original;
  }
}
