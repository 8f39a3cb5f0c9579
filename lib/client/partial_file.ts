/**
 * Where a download is saved: a safe local name, a temporary file that
 * receives the bytes, and a rename only once size and SHA-256 match.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { joinPath, writeAll } from "../common/mod.ts";

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

// Characters that are separators, reserved on Windows, or controls.
// deno-lint-ignore no-control-regex -- control characters are what we strip
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g;
const FALLBACK_NAME = "download";

// Invisible or direction-changing: removed, so a name shows as it is.
const INVISIBLE = /[\u2028\u2029]|\p{Cf}/gu;
/** Longest saved name in UTF-8 bytes: file systems take 255. */
export const MAX_SAVED_NAME_BYTES = 200;
const encoder = new TextEncoder();

/** Cuts `name` to `max` UTF-8 bytes, keeping a short extension. */
function shorten(name: string, max: number): string {
  if (encoder.encode(name).length <= max) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  let stem = "";
  let bytes = encoder.encode(extension).length;
  for (const char of name.slice(0, name.length - extension.length)) {
    bytes += encoder.encode(char).length;
    if (bytes > max) break;
    stem += char;
  }
  return stem + extension;
}

/**
 * Turns whatever name a server sent into a plain file name that is safe to
 * save and to show: the last `/`-separated component, with backslashes, controls
 * and characters Windows reserves replaced by `_`, invisible and
 * direction-changing characters removed, no leading dot (not hidden), no
 * white space or dots at the ends, at most {@linkcode MAX_SAVED_NAME_BYTES}
 * bytes (the extension kept). Never returns a name that leaves the folder.
 */
export function safeFileName(name: string): string {
  // A backslash is a character of a name on the server's system, not a
  // separator: it becomes `_` below, as everything Windows reserves.
  const last = name.split("/").filter((part) => part !== "").pop() ?? "";
  const cleaned = last.replace(INVISIBLE, "").replace(UNSAFE, "_")
    .replace(/^[\s.]+|[\s.]+$/gu, "");
  if (cleaned === "") return FALLBACK_NAME;
  return shorten(cleaned, MAX_SAVED_NAME_BYTES);
}

function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0
    ? `${name.slice(0, dot)} (${n})${name.slice(dot)}`
    : `${name} (${n})`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * What a finished download does when its name is taken: take a numbered
 * name up to `numberUpTo` (`name (1).ext`, `name (2).ext`, …), fail, or
 * replace the file.
 */
export type WhenTaken = { numberUpTo: number } | "fail" | "replace";

/**
 * A download in progress: bytes go to a hidden temporary file in the target
 * folder, so a cut or corrupt transfer never appears under the final name.
 */
export class PartialFile {
  /** The safe name the file will be saved under (or numbered if taken). */
  readonly name: string;
  /** Bytes announced by the server. */
  readonly size: number;
  /** Bytes received so far. */
  received = 0;

  readonly #dir: string;
  readonly #tempPath: string;
  readonly #file: Deno.FsFile;
  readonly #hash: Hash = createHash("sha256");
  #open = true;
  // The write under way, and its copy of the chunk: a chunk is written
  // while the next one is read and hashed.
  // It resolves to its failure, if any: a rejection that came while no one
  // awaited it would be an unhandled one.
  #writing: Promise<unknown> | null = null;
  #copy = new Uint8Array(0);

  private constructor(
    dir: string,
    name: string,
    size: number,
    tempPath: string,
    file: Deno.FsFile,
  ) {
    this.#dir = dir;
    this.name = name;
    this.size = size;
    this.#tempPath = tempPath;
    this.#file = file;
  }

  /**
   * Creates the folder if needed and a temporary file inside it for a
   * download the server calls `serverName`, to be saved under its safe
   * name (see {@linkcode safeFileName}) or under `chosenName`, a name the
   * user gave.
   */
  static async create(
    dir: string,
    serverName: string,
    size: number,
    chosenName?: string,
  ): Promise<PartialFile> {
    // Not Deno.makeTempFile: its files are private (0600), and a download
    // should get the usual permissions of a new file.
    const tempPath = joinPath(dir, `.ackline-${crypto.randomUUID()}.part`);
    let file: Deno.FsFile;
    try {
      await Deno.mkdir(dir, { recursive: true });
      file = await Deno.open(tempPath, { write: true, createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) {
        throw new Deno.errors.NotCapable(
          `No permission to write to ${dir}`,
        );
      }
      throw error;
    }
    const name = chosenName ?? safeFileName(serverName);
    return new PartialFile(dir, name, size, tempPath, file);
  }

  /**
   * Appends a chunk.
   *
   * @throws {VerificationError} if it goes past the announced size.
   */
  async write(chunk: Uint8Array): Promise<void> {
    checkRoom(this.received, chunk.length, this.size);
    this.#hash.update(chunk);
    // The caller reuses `chunk` once this resolves: it is written from a
    // copy, once the last write (which held the copy) is done.
    await this.#settle();
    if (this.#copy.length < chunk.length) {
      this.#copy = new Uint8Array(chunk.length);
    }
    const copy = this.#copy.subarray(0, chunk.length);
    copy.set(chunk);
    this.received += chunk.length;
    this.#writing = writeAll(this.#file, copy).then(() => null, (e) => e);
  }

  /** Waits for the write under way; its failure is thrown here. */
  async #settle(): Promise<void> {
    const failure = await this.#writing;
    this.#writing = null;
    if (failure) throw failure;
  }

  /**
   * Checks size and SHA-256, then moves the file to its final name. What
   * happens when that name is taken is `whenTaken`'s to say: a numbered
   * name takes `name (1).ext`, `name (2).ext`, … so nothing is overwritten;
   * `"fail"` keeps the existing file and saves nothing; `"replace"`
   * replaces it in one step (a reader sees the old file or the new one).
   *
   * @returns the final path.
   * @throws {VerificationError} on a mismatch; the temporary file is removed.
   * @throws {Deno.errors.AlreadyExists} when the name is taken and
   * `whenTaken` is `"fail"`.
   */
  async finish(
    expectedSha256: string,
    whenTaken: WhenTaken,
  ): Promise<string> {
    try {
      await this.#settle();
      this.#closeFile();
      checkWhole(
        this.received,
        this.size,
        () => this.#hash.digest("hex"),
        expectedSha256,
      );
      if (whenTaken === "replace") {
        const target = joinPath(this.#dir, this.name);
        await Deno.rename(this.#tempPath, target);
        return target;
      }
      return await this.#claimName(
        whenTaken === "fail" ? 0 : whenTaken.numberUpTo,
      );
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /**
   * Gives the verified temporary file its final name, or one of the first
   * `numbers` numbered names. A hard link fails atomically when the name
   * is taken, so two downloads finishing at once can never overwrite each
   * other or an existing file; where links are not supported,
   * check-then-rename is the fallback.
   */
  async #claimName(numbers: number): Promise<string> {
    for (let n = 0; n <= numbers; n++) {
      const target = joinPath(
        this.#dir,
        n === 0 ? this.name : numbered(this.name, n),
      );
      try {
        await Deno.link(this.#tempPath, target);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue;
        if (await exists(target)) continue;
        await Deno.rename(this.#tempPath, target); // no links here
        return target;
      }
      await Deno.remove(this.#tempPath);
      return target;
    }
    throw new Deno.errors.AlreadyExists(
      numbers === 0
        ? `${this.name} already exists; add --overwrite to replace it`
        : `${this.name} and ${numbers} numbered names like it are all taken`,
    );
  }

  /** Removes the temporary file; safe to call more than once. */
  async discard(): Promise<void> {
    await this.#settle().catch(() => {});
    this.#closeFile();
    await Deno.remove(this.#tempPath).catch(() => {});
  }

  #closeFile(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#file.close();
  }
}
