/**
 * The handlers of `list` and `get`: the served folder as a table, and a
 * file sent as header, raw bytes and SHA-256 trailer.
 *
 * @module
 */

import {
  alignColumns,
  escapeControl,
  formatBytes,
  formatTimestamp,
} from "../common/mod.ts";
import type { RequestContext } from "./context.ts";
import {
  describeForClient,
  FileRefusal,
  type OpenedFile,
  type RepositoryEntry,
} from "./repository.ts";
import { sameVersion } from "./digest_cache.ts";
import { streamFile } from "./transfer.ts";

/** `list`: name, size and time of each file, then a summary. */
export async function listFiles(
  { out, server, client }: RequestContext,
): Promise<void> {
  let entries: RepositoryEntry[];
  try {
    entries = await server.repository.list();
  } catch (error) {
    // Out of file descriptors, or the folder gone: say so, keep serving.
    const detail = describeForClient(error);
    out.listFailed(detail);
    server.log("ERROR", `${client}: list failed: ${detail}`);
    return;
  }
  if (entries.length === 0) {
    out.noFiles();
    return;
  }
  const rows = entries.map((entry) => [
    escapeControl(entry.name),
    formatBytes(entry.size),
    entry.modified ? formatTimestamp(entry.modified) : "-",
  ]);
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  const noun = entries.length === 1 ? "file" : "files";
  out.fileList(
    alignColumns(rows, { right: [1] }),
    `${entries.length} ${noun}, ${
      formatBytes(total)
    }; download one with: get <name>`,
  );
}

/**
 * `get <name>`: sends the file, or says why not. The connection stays
 * usable after a refusal; a transfer that cannot finish throws, which ends
 * the connection, since nothing can be said in the middle of raw bytes.
 */
export async function sendFile(
  request: RequestContext,
  name: string,
): Promise<void> {
  const { out, client, server, signal } = request;
  if (name === "") {
    out.getUsage();
    return;
  }
  let opened: OpenedFile;
  try {
    opened = await server.repository.openFile(name, signal);
  } catch (error) {
    if (!(error instanceof FileRefusal)) throw error;
    out.refusal(error.refusal);
    server.log(
      "DOWNLOAD",
      `${client} refused: ${escapeControl(error.message)}`,
    );
    return;
  }
  try {
    await transfer(request, opened);
    server.log(
      "DOWNLOAD",
      `${client} got ${escapeControl(name)} (${formatBytes(opened.info.size)})`,
    );
  } finally {
    opened.file.close();
  }
}

async function transfer(
  { out, server, signal, flush, send }: RequestContext,
  { file, name, path, info }: OpenedFile,
): Promise<void> {
  const { digests } = server;
  // File times are wall-clock times, so this is compared with Date.now().
  const statAt = Date.now();
  const known = digests.get(path, info);
  out.fileHeader(info.size, name);
  await flush();
  const digest = await streamFile(file, info.size, send, {
    hash: known === null,
    signal,
    threads: server.hashThreads,
  });
  const after = await file.stat();
  if (known !== null && !sameVersion(info, after)) {
    // The bytes sent are not the ones the remembered digest is of, and no
    // other digest was computed: end without a trailer that would lie.
    throw new Error(`${name} changed while it was sent; transfer cut`);
  }
  out.fileTrailer(known ?? digest!);
  // Only a file that did not change while it was read may be remembered.
  if (known === null && sameVersion(info, after)) {
    digests.set(path, after, digest!, statAt);
  }
}
