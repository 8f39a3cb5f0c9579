/**
 * Where a download is saved: a safe local name, a temporary file that
 * receives the bytes, and a rename only once size and SHA-256 match.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { joinPath, writeAll } from "../common/mod.ts";
import type { FileHeader } from "../wire/mod.ts";
import { checkRoom, checkWhole, VerificationError } from "./checks.ts";
import { numbered, safeFileName } from "./saved_name.ts";
import {
  keptName,
  type KeptPart,
  openPart,
  PartBusyError,
  releasePart,
} from "./kept_part.ts";

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
 * A download in progress: bytes go to a temporary file in the target
 * folder, so a cut or corrupt transfer never appears under the final name.
 * It is hidden and removed when the download does not finish; for `get -c`
 * it is a kept part (`kept_part.ts`), left for a later `get -c` when the
 * download is cut, and removed only when what it holds proves wrong.
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
  readonly #hash: Hash;
  /** Bytes a kept part had before this download. */
  readonly offset: number;
  #keep: boolean;
  #open = true;
  // The write under way (resolving to its failure, if any: a rejection no
  // one awaited would be unhandled), and its copy of the chunk: a chunk is
  // written while the next one is read and hashed.
  #writing: Promise<unknown> | null = null;
  #copy = new Uint8Array(0);

  private constructor(
    dir: string,
    name: string,
    size: number,
    tempPath: string,
    file: Deno.FsFile,
    kept: { hash: Hash; size: number } | null = null,
  ) {
    this.#dir = dir;
    this.name = name;
    this.size = size;
    this.#tempPath = tempPath;
    this.#file = file;
    this.#hash = kept?.hash ?? createHash("sha256");
    this.offset = kept?.size ?? 0;
    this.received = this.offset;
    this.#keep = kept !== null;
  }

  /** Where the bytes are being written. */
  get path(): string {
    return this.#tempPath;
  }

  /**
   * The file for a download asked for with `resume` (`get -c`), to be
   * saved as `name` in `dir`: the `kept` part continued when the server
   * goes on from its end, or a new kept part when it starts from byte 0
   * (`kept` is then removed: it is of another version). It takes `kept`
   * over, whatever comes of it.
   *
   * @throws {VerificationError} when the header has no version, or starts
   * anywhere else; nothing is touched then.
   */
  static async resumable(
    dir: string,
    name: string,
    tag: string,
    header: FileHeader,
    kept: KeptPart | null,
  ): Promise<PartialFile> {
    const { version, offset } = header;
    if (
      kept !== null && version !== null && offset === kept.size &&
      version === kept.version
    ) {
      return new PartialFile(
        dir,
        name,
        offset + header.size,
        kept.path,
        kept.file,
        kept,
      );
    }
    if (version === null || offset !== 0) {
      if (kept !== null) releasePart(kept);
      throw new VerificationError(
        version === null
          ? "The server's reply to resume did not say the file's version"
          : `The server went on from byte ${offset}, not ${
            kept?.size ?? 0
          } as asked`,
      );
    }
    // Removed while still locked, so no other download takes it up.
    if (kept !== null) {
      try {
        await Deno.remove(kept.path);
      } finally {
        releasePart(kept);
      }
    }
    const path = joinPath(dir, keptName(name, tag, version));
    await Deno.mkdir(dir, { recursive: true });
    const file = await openPart(path, true);
    if (file === null) throw new PartBusyError(`${path} could not be made`);
    return new PartialFile(dir, name, header.size, path, file, {
      hash: createHash("sha256"),
      size: 0,
    });
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
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
      throw new Deno.errors.NotCapable(`No permission to write to ${dir}`);
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
   * @throws {VerificationError} on a mismatch; the temporary file is
   * removed, kept part or not.
   * @throws {Deno.errors.AlreadyExists} when the name is taken and
   * `whenTaken` is `"fail"`.
   */
  async finish(
    expectedSha256: string,
    whenTaken: WhenTaken,
  ): Promise<string> {
    try {
      await this.#settle();
      checkWhole(
        this.received,
        this.size,
        () => this.#hash.digest("hex"),
        expectedSha256,
      );
      // Closed (a kept part: unlocked) only once it has its final name, so
      // no other download takes it up meanwhile.
      if (whenTaken === "replace") {
        const target = joinPath(this.#dir, this.name);
        await Deno.rename(this.#tempPath, target);
        this.#closeFile();
        return target;
      }
      const target = await this.#claimName(
        whenTaken === "fail" ? 0 : whenTaken.numberUpTo,
      );
      this.#closeFile();
      return target;
    } catch (error) {
      if (error instanceof VerificationError) this.#keep = false;
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

  /**
   * Removes the temporary file, or closes a kept part, keeping what it
   * holds; safe to call more than once.
   */
  async discard(): Promise<void> {
    await this.#settle().catch(() => {});
    this.#closeFile();
    if (!this.#keep) await Deno.remove(this.#tempPath).catch(() => {});
  }

  /** Whether the bytes received stay once the download ends unfinished. */
  get kept(): boolean {
    return this.#keep;
  }

  #closeFile(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#file.close();
  }
}
