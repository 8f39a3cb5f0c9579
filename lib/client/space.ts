/**
 * Whether a download fits: under the user's size limit, and in the free
 * space of the folder it goes to. Checked from the download's header,
 * before a byte is written.
 *
 * @module
 */

import { statfs } from "node:fs/promises";
import { formatBytes } from "../common/mod.ts";

/** Thrown when a download is refused from its header alone. */
export class DownloadRefusedError extends Error {
  /** Creates the error; the message says why. */
  constructor(message: string) {
    super(message);
    this.name = "DownloadRefusedError";
  }
}

/**
 * Bytes free for this user in the file system of `dir` (which must exist),
 * or `null` when that cannot be known (no permission, an unusual system).
 */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const info = await statfs(dir);
    return Number(info.bavail) * Number(info.bsize);
  } catch {
    return null;
  }
}

/**
 * Refuses a download of `size` more bytes over `maxBytes` (0: no limit)
 * with the `kept` bytes it goes on from, or over the free space of `dir`
 * (`null`: a stream, with no space to check).
 *
 * @throws {DownloadRefusedError} saying which, with both sizes.
 */
export async function checkFits(
  name: string,
  size: number,
  maxBytes: number,
  dir: string | null,
  kept = 0,
): Promise<void> {
  const whole = kept + size;
  if (maxBytes > 0 && whole > maxBytes) {
    throw new DownloadRefusedError(
      `Refused ${name}: it is ${formatBytes(whole)}, over the --max-size of ${
        formatBytes(maxBytes)
      }; nothing was saved`,
    );
  }
  if (dir === null) return;
  const free = await freeBytes(dir);
  if (free !== null && size > free) {
    throw new DownloadRefusedError(
      `Refused ${name}: it is ${formatBytes(size)}, more than the ${
        formatBytes(free)
      } free in ${dir}; nothing was saved`,
    );
  }
}
