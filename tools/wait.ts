/**
 * Bounded waits: every wait in a test ends, so a broken build fails
 * instead of hanging.
 *
 * @module
 */

/** Upper bound on any single wait in a test. */
export const WAIT_MS = 10_000;

/** Resolves like `promise`, or rejects after `ms` naming what was awaited. */
export async function within<T>(
  promise: Promise<T>,
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
