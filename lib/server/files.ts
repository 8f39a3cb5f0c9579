/**
 * The handlers of `list` and `get`: the served folder as a table, and a
 * file sent as header, raw bytes and SHA-256 trailer.
 *
 * @module
 */

import { escapeControl, formatBytes, formatDuration } from "../common/mod.ts";
import type { RequestContext } from "./context.ts";
import {
  describeForClient,
  FileRefusal,
  type OpenedFile,
  type RepositoryListing,
} from "./repository.ts";
import {
  Code,
  COMMANDS,
  escapeName,
  formatFileRows,
  refusalCode,
  refusalText,
  unescapeName,
} from "../wire/mod.ts";
import { sameVersion } from "./digest_cache.ts";
import { streamFile } from "./transfer.ts";

/** `list`: name, size and time of each file, then a summary. */
export async function listFiles(
  { out, server, client }: RequestContext,
): Promise<void> {
  let listing: RepositoryListing;
  try {
    listing = await server.repository.list();
  } catch (error) {
    // Out of file descriptors, or the folder gone: say so, keep serving.
    const detail = describeForClient(error);
    out.line(Code.FileError, `Cannot list the files: ${detail}`);
    server.log("ERROR", `${client}: list failed: ${detail}`, {
      client,
      error: detail,
    });
    return;
  }
  const { entries, notUtf8 } = listing;
  const unlisted = notUtf8 === 0
    ? ""
    : `; ${notUtf8} ${notUtf8 === 1 ? "file" : "files"} not shown: ${
      notUtf8 === 1 ? "its name is" : "their names are"
    } not UTF-8`;
  if (entries.length === 0) {
    out.line(
      COMMANDS.list.code,
      unlisted === ""
        ? "No files to offer: the folder is empty"
        : `No files to offer${unlisted}`,
    );
    return;
  }
  const rows = formatFileRows(entries.map((entry) => ({
    shownName: escapeName(entry.name),
    size: entry.size,
    modified: entry.modified,
  })));
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  const noun = entries.length === 1 ? "file" : "files";
  out.lines(
    COMMANDS.list.code,
    rows,
    `${entries.length} ${noun}, ${
      formatBytes(total)
    }; download one with: ${COMMANDS.get.usage}${unlisted}`,
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
    out.line(
      Code.BadArguments,
      `Usage: ${COMMANDS.get.usage} (names come from 'list')`,
    );
    return;
  }
  let opened: OpenedFile;
  try {
    const fileName = unescapeName(name);
    if (fileName === null) {
      throw new FileRefusal("not-a-name", escapeControl(name));
    }
    opened = await server.repository.openFile(fileName, signal);
  } catch (error) {
    if (!(error instanceof FileRefusal)) throw error;
    out.line(refusalCode(error.refusal), refusalText(error.refusal));
    const reason = escapeControl(error.message);
    server.log("DOWNLOAD", `${client} refused: ${reason}`, {
      client,
      outcome: "refused",
      reason,
    });
    return;
  }
  const progress = { sent: 0 };
  const file = escapeName(opened.name);
  const size = opened.info.size;
  const { clock } = server;
  const started = clock.now();
  try {
    await transfer(request, opened, progress);
    const ms = clock.now() - started;
    server.log(
      "DOWNLOAD",
      `${client} got ${file} (${formatBytes(size)} in ${formatDuration(ms)}, ${
        formatBytes(size / Math.max(ms, 1) * 1000)
      }/s)`,
      {
        client,
        file,
        outcome: "sent",
        bytes: size,
        durationMs: Math.round(ms),
      },
    );
  } catch (error) {
    // The disconnect line that follows says why.
    const ms = clock.now() - started;
    server.log(
      "DOWNLOAD",
      `${client} did not get ${file}: cut after ${
        formatBytes(progress.sent)
      } of ${formatBytes(size)} in ${formatDuration(ms)}`,
      {
        client,
        file,
        outcome: "cut",
        bytes: size,
        sentBytes: progress.sent,
        durationMs: Math.round(ms),
      },
    );
    throw error;
  } finally {
    opened.file.close();
  }
}

async function transfer(
  { out, server, signal, flush, send }: RequestContext,
  { file, name, path, info }: OpenedFile,
  progress: { sent: number },
): Promise<void> {
  const { digests } = server;
  // File times are wall-clock times, so this is read from the wall clock.
  const statAt = server.clock.date().getTime();
  const known = digests.get(path, info);
  out.fileHeader(info.size, escapeName(name));
  await flush();
  const counted = async (chunk: Uint8Array) => {
    await send(chunk);
    progress.sent += chunk.length;
  };
  const digest = await streamFile(file, info.size, counted, {
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
