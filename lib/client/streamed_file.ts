/**
 * A download written as it arrives to a stream (standard output, for
 * `-o -`), hashed on the way: what cannot be taken back is at least
 * checked, and a mismatch is said.
 *
 * @module
 */

import { writeAll, type Writer } from "../common/mod.ts";
import { createHash, type Hash } from "node:crypto";
import { checkRoom, checkWhole } from "./checks.ts";

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
  /** A stream always starts at the file's first byte. */
  readonly offset = 0;
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
    checkRoom(this.received, chunk.length, this.size);
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
    try {
      checkWhole(
        this.received,
        this.size,
        () => this.#hash.digest("hex"),
        expectedSha256,
      );
      return Promise.resolve(STANDARD_OUTPUT);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Nothing to remove: what was written is written. */
  discard(): Promise<void> {
    return Promise.resolve();
  }
}
