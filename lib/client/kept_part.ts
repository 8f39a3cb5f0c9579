/**
 * The part of a file kept from a cut download (`get -c`), so a later
 * `get -c` asks only for the rest: found by its name, which carries the
 * version of the file it is part of, and hashed before the rest is asked
 * for, since the server's SHA-256 covers the whole file.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { joinPath } from "../common/mod.ts";
import { VERSION_PATTERN } from "../wire/mod.ts";
import { DownloadRefusedError } from "./space.ts";

// Distinct from other programs' partial files (`report.pdf.part`), which
// are never taken for ours, nor removed.
const KEPT_SUFFIX = ".ackline-part";
const READ_BYTES = 1 << 20;

/**
 * What tells apart the parts of two files of the server that are saved
 * under one local name (`data:x.bin` and `data_x.bin` both save as
 * `data_x.bin`): 8 hex digits of the SHA-256 of the name asked for.
 */
export function nameTag(askedName: string): string {
  return createHash("sha256").update(askedName).digest("hex").slice(0, 8);
}

/**
 * The name a part of `savedName` is kept under while it downloads:
 * `big.bin.<tag>.<version>.ackline-part`, the tag that of the name asked
 * for (see {@linkcode nameTag}). Neither has a dot, so the name says
 * exactly which file and version it holds, and at most 200 + 55 bytes fit
 * any file system.
 */
export function keptName(
  savedName: string,
  tag: string,
  version: string,
): string {
  return `${savedName}.${tag}.${version}${KEPT_SUFFIX}`;
}

/** A part kept from a cut download, hashed and ready to continue. */
export interface KeptPart {
  /** Where it is. */
  readonly path: string;
  /** The version of the server's file it is part of. */
  readonly version: string;
  /** How many bytes it holds. */
  readonly size: number;
  /** The SHA-256 of those bytes so far, to go on with the rest. */
  readonly hash: Hash;
  /**
   * The part, open, locked for this download alone, and positioned at
   * its end; whoever takes the part over closes it.
   */
  readonly file: Deno.FsFile;
}

/**
 * Thrown when a part is in use by another download, or its place taken:
 * the download is refused before a byte is written (its bytes are not
 * taken only to be dropped).
 */
export class PartBusyError extends DownloadRefusedError {
  /** Creates the error; the message says which part. */
  constructor(message: string) {
    super(message);
    this.name = "PartBusyError";
  }
}

function closeQuietly(file: Deno.FsFile): void {
  try {
    file.close();
  } catch {
    // Closed already.
  }
}

/**
 * Opens the part at `path` for this download alone: locked, and still the
 * regular file that is there (not one a rename or a link put in its place
 * meanwhile). A new part is made only where nothing is, so no link, pipe
 * or folder of that name is ever written through.
 *
 * @returns the open part, or `null` when an existing one is gone.
 * @throws {PartBusyError} when another download holds it, or, for a new
 * part, something is in its place.
 */
export async function openPart(
  path: string,
  create: boolean,
): Promise<Deno.FsFile | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(
      path,
      create
        ? { read: true, write: true, createNew: true }
        : { read: true, write: true },
    );
  } catch (error) {
    if (create && error instanceof Deno.errors.AlreadyExists) {
      throw new PartBusyError(
        `${path} is in the way: another download of it is under way, or something else has its name`,
      );
    }
    if (!create && error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    if (!await file.tryLock(true)) {
      throw new PartBusyError(
        `${path} is in use by another download of the same file`,
      );
    }
    const [opened, there] = await Promise.all([
      file.stat(),
      Deno.lstat(path).catch(() => null),
    ]);
    if (
      there === null || !there.isFile || !opened.isFile ||
      there.ino !== opened.ino || there.dev !== opened.dev
    ) {
      closeQuietly(file);
      return null;
    }
    return file;
  } catch (error) {
    closeQuietly(file);
    throw error;
  }
}

/** Gives up a kept part not taken over: closes it, keeping what it holds. */
export function releasePart(part: KeptPart): void {
  closeQuietly(part.file);
}

/**
 * Finds the kept part of `savedName` in `dir`: a regular file (never a
 * link) named as {@linkcode keptName} makes it, the most recently written
 * if there are several.
 *
 * @returns where it is and its version, or `null` when there is none.
 */
export async function findKeptPart(
  dir: string,
  savedName: string,
  tag: string,
): Promise<{ path: string; version: string } | null> {
  const prefix = `${savedName}.${tag}.`;
  let found: { path: string; version: string; written: number } | null = null;
  try {
    for await (const entry of Deno.readDir(dir)) {
      const { name } = entry;
      if (!entry.isFile || !name.startsWith(prefix)) continue;
      if (!name.endsWith(KEPT_SUFFIX)) continue;
      const version = name.slice(prefix.length, -KEPT_SUFFIX.length);
      if (!VERSION_PATTERN.test(version)) continue;
      const path = joinPath(dir, name);
      const info = await Deno.lstat(path);
      const written = info.mtime?.getTime() ?? 0;
      if (info.isFile && (found === null || written > found.written)) {
        found = { path, version, written };
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  return found && { path: found.path, version: found.version };
}

/**
 * The part of `savedName` kept in `dir`, opened for this download alone
 * (see {@linkcode openPart}) and hashed; `onFound` hears of it before it
 * is read, which takes a while for a large one.
 *
 * @returns `null` when there is none.
 * @throws {PartBusyError} when another download holds it.
 */
export async function keptPartOf(
  dir: string,
  savedName: string,
  tag: string,
  onFound?: (found: { path: string; size: number }) => void,
): Promise<KeptPart | null> {
  const found = await findKeptPart(dir, savedName, tag);
  if (found === null) return null;
  const file = await openPart(found.path, false);
  if (file === null) return null;
  try {
    onFound?.({ path: found.path, size: (await file.stat()).size });
    const hash = createHash("sha256");
    const buf = new Uint8Array(READ_BYTES);
    let size = 0;
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
    return { path: found.path, version: found.version, size, hash, file };
  } catch (error) {
    closeQuietly(file);
    throw error;
  }
}
