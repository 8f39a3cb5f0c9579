/**
 * Counting worker threads: a test can tell whether code it runs started
 * one (a large download is hashed on a second thread; a repeat of it is
 * not hashed at all).
 *
 * @module
 */

/**
 * Runs `fn` while every `new Worker`, every message posted to any worker
 * and every worker ended is counted, and returns its result with the
 * counts. Workers run
 * as usual.
 */
export async function countingWorkers<T>(
  fn: () => Promise<T>,
): Promise<
  { result: T; started: number; messages: number; terminated: number }
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
  globalThis.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started++;
    }
  };
  proto.postMessage = function (message, transfer) {
    messages++;
    originalPost.call(this, message, transfer);
  };
  try {
    const result = await fn();
    return { result, started, messages, terminated };
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
