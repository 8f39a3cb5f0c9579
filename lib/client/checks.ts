/**
 * The checks of a download's bytes against what the server announced:
 * never more than its size, and at the end all of it with its SHA-256.
 * A file and a stream (`-o -`) are checked alike.
 *
 * @module
 */

/** Thrown when received bytes do not match what the server announced. */
export class VerificationError extends Error {
  /** Creates the error with a message that says what did not match. */
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}

/**
 * Refuses a chunk of `length` bytes that would take a download past the
 * `size` the server announced, with `received` bytes already taken.
 *
 * @throws {VerificationError} when it would.
 */
export function checkRoom(
  received: number,
  length: number,
  size: number,
): void {
  if (received + length > size) {
    throw new VerificationError(
      `Server sent more than the ${size} bytes it announced`,
    );
  }
}

/**
 * Checks a finished download: all `size` bytes received, and `digest`
 * (their SHA-256, asked for only then) the one the server gave.
 *
 * @throws {VerificationError} saying which does not match.
 */
export function checkWhole(
  received: number,
  size: number,
  digest: () => string,
  expectedSha256: string,
): void {
  if (received !== size) {
    throw new VerificationError(`Received ${received} of ${size} bytes`);
  }
  const actual = digest();
  if (actual !== expectedSha256) {
    throw new VerificationError(
      `SHA-256 mismatch: expected ${expectedSha256}, got ${actual}`,
    );
  }
}
