/**
 * Files for tests: temporary folders, their listings, and digests.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Hex SHA-256 of a file, read in chunks. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ackline-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The names in a folder, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** A file of `bytes` zeros, made sparse: no time is spent writing it. */
export interface Zeros {
  zeros: number;
}

/** What a test file holds: text, bytes, or zeros. */
export type FileContent = string | Uint8Array | Zeros;

/** Writes `content` at `path` (zeros as a sparse file). */
export async function writeContent(
  path: string,
  content: FileContent,
): Promise<void> {
  if (typeof content === "string") {
    return await Deno.writeTextFile(path, content);
  }
  if (content instanceof Uint8Array) return await Deno.writeFile(path, content);
  using file = await Deno.create(path);
  await file.truncate(content.zeros);
}

/** Copies the file or folder `from` to `to`, folders with all they hold. */
export async function copyTree(from: string, to: string): Promise<void> {
  if (!(await Deno.stat(from)).isDirectory) {
    return await Deno.copyFile(from, to);
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}
