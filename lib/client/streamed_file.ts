/**
 * A download written as it arrives to a stream (standard output, for
 * `-o -`), hashed on the way: what cannot be taken back is at least
 * checked, and a mismatch is said.
 *
 * @module
 */

import { writeAll, type Writer } from "../common/mod.ts";
import { createHash, type Hash } from "node:crypto";
import { VerificationError } from "./partial_file.ts";

/** Where `-o` says a download goes when it names standard output. */
export const STANDARD_OUTPUT = "-";

/** A download streamed to a writer, checked at its end. */
export class StreamedFile {
  /** The file's name, as the server announced it. */
  readonly name: string;
  /** The size the server announced. */
  readonly size: number;
  /** Bytes received so far. */
  received = 0;
  readonly #out: Writer;
  readonly #hash: Hash = createHash("sha256");

  /** Streams a file of `size` bytes called `name` to `out`. */
  constructor(out: Writer, name: string, size: number) {
    this.#out = out;
    this.name = name;
    this.size = size;
  }

  /**
   * Writes one chunk on, hashing it.
   *
   * @throws {VerificationError} past the size the server announced.
   */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.received + chunk.length > this.size) {
      throw new VerificationError(
        `Server sent more than the ${this.size} bytes it announced`,
      );
    }
    this.#hash.update(chunk);
    await writeAll(this.#out, chunk);
    this.received += chunk.length;
  }

  /**
   * Checks size and SHA-256 once all has been written.
   *
   * @returns where it went: {@linkcode STANDARD_OUTPUT}.
   * @throws {VerificationError} when they do not match.
   */
  finish(expectedSha256: string): Promise<string> {
    const actual = this.received === this.size
      ? this.#hash.digest("hex")
      : null;
    if (actual === expectedSha256) return Promise.resolve(STANDARD_OUTPUT);
    return Promise.reject(
      new VerificationError(
        actual === null
          ? `Received ${this.received} of ${this.size} bytes`
          : `SHA-256 mismatch: expected ${expectedSha256}, got ${actual}`,
      ),
    );
  }

  /** Nothing to remove: what was written is written. */
  discard(): Promise<void> {
    return Promise.resolve();
  }
}
