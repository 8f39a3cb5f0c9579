/**
 * The SHA-256 of files already sent, so a repeated download of an
 * unchanged file streams at socket speed without hashing.
 *
 * @module
 */

/**
 * A file modified less than this long before it was looked at may change
 * again within the same timestamp, unseen (git calls such an entry
 * "racily clean"): its digest is not remembered. Two seconds covers the
 * coarsest file system clocks.
 */
export const RACY_MS = 2000;

function identity(info: Deno.FileInfo): string | null {
  if (!info.mtime) return null;
  return `${info.dev}:${info.ino}:${info.size}:${info.mtime.getTime()}:${
    info.ctime?.getTime() ?? ""
  }`;
}

/**
 * Remembers the SHA-256 of files already sent, keyed by path and by what
 * changes whenever the content does (inode, size, modification and change
 * times), so a repeated download streams at socket speed without hashing.
 */
export class DigestCache {
  #entries = new Map<string, { identity: string; digest: string }>();
  #capacity: number;

  /** Creates a cache holding at most `capacity` digests. */
  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  /** The digest of the file at `path`, if known for this exact version. */
  get(path: string, info: Deno.FileInfo): string | null {
    const entry = this.#entries.get(path);
    const id = identity(info);
    return entry && id !== null && entry.identity === id ? entry.digest : null;
  }

  /**
   * Records the digest of the file at `path` in the version `info` names,
   * read from `statAt` (milliseconds since the epoch, by the wall clock
   * file times use). A file whose times are not safely older than that is
   * not remembered.
   */
  set(
    path: string,
    info: Deno.FileInfo,
    digest: string,
    statAt: number,
  ): void {
    const id = identity(info);
    if (id === null) return;
    // Writing content moves the modification time to the present.
    if (info.mtime!.getTime() > statAt - RACY_MS) return;
    this.#entries.delete(path);
    this.#entries.set(path, { identity: id, digest });
    if (this.#entries.size > this.#capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}

/** Whether two looks at a file saw the same version of it. */
export function sameVersion(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  const id = identity(a);
  return id !== null && id === identity(b);
}

const encoder = new TextEncoder();
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/**
 * The version of a file that `resume` names: 16 hex digits that change
 * whenever what {@linkcode sameVersion} compares does (a 64-bit FNV-1a of
 * it), and say nothing of the file's inode or times. A file whose times
 * cannot be read gets a version of its own each time, which no `resume`
 * can match.
 */
export function fileVersion(info: Deno.FileInfo): string {
  const id = identity(info);
  if (id === null) return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(id)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, "0");
}
