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

const KEPT_SUFFIX = ".part";
const READ_BYTES = 1 << 20;

/**
 * The name a part of `savedName` is kept under while it downloads:
 * `big.bin.<version>.part`. A version has no dot, so the name says
 * exactly which file and version it holds.
 */
export function keptName(savedName: string, version: string): string {
  return `${savedName}.${version}${KEPT_SUFFIX}`;
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
): Promise<{ path: string; version: string } | null> {
  const prefix = `${savedName}.`;
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
 * The part of `savedName` kept in `dir`, hashed; `onFound` hears of it
 * before it is read, which takes a while for a large one.
 *
 * @returns `null` when there is none.
 */
export async function keptPartOf(
  dir: string,
  savedName: string,
  onFound?: (found: { path: string; size: number }) => void,
): Promise<KeptPart | null> {
  const found = await findKeptPart(dir, savedName);
  if (found === null) return null;
  onFound?.({ path: found.path, size: (await Deno.stat(found.path)).size });
  return await hashKeptPart(found.path, found.version);
}

/** Reads and hashes the kept part at `path`, of file version `version`. */
export async function hashKeptPart(
  path: string,
  version: string,
): Promise<KeptPart> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(READ_BYTES);
  let size = 0;
  using file = await Deno.open(path, { read: true });
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
    size += n;
  }
  return { path, version, size, hash };
}
