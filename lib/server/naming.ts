/**
 * Client names: Client01, Client02, … in order of acceptance.
 *
 * @module
 */

/**
 * Formats the name of the `n`th accepted client (1-based): two digits at
 * least, more as needed, so Client100 follows Client99.
 *
 * @throws {RangeError} if `n` is not a positive integer.
 */
export function clientName(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`Client numbers start at 1, got ${n}`);
  }
  return `Client${String(n).padStart(2, "0")}`;
}

/** Hands out client names in order, never the same one twice. */
export class ClientNamer {
  #issued = 0;

  /** Returns the name for the next accepted client. */
  next(): string {
    return clientName(++this.#issued);
  }
}
