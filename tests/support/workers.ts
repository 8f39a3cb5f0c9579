/**
 * Counting worker threads: a test can tell whether code it runs started
 * one (a large download is hashed on a second thread; a repeat of it is
 * not hashed at all).
 *
 * @module
 */

/**
 * Runs `fn` while every `new Worker` is counted, and returns its result
 * with the count. Workers run as usual.
 */
export async function countingWorkers<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; started: number }> {
  const Original = globalThis.Worker;
  let started = 0;
  globalThis.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started++;
    }
  };
  try {
    const result = await fn();
    return { result, started };
  } finally {
    globalThis.Worker = Original;
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
