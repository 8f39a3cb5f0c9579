/**
 * The SHA-256 of files already sent, so a repeated download of an
 * unchanged file streams at socket speed without hashing.
 *
 * @module
 */

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

  /** Records the digest of the file at `path` in the version `info` names. */
  set(path: string, info: Deno.FileInfo, digest: string): void {
    const id = identity(info);
    if (id === null) return;
    this.#entries.delete(path);
    this.#entries.set(path, { identity: id, digest });
    if (this.#entries.size > this.#capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}
