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
  NO_VERSION,
  refusalCode,
  refusalText,
  type ResumeArguments,
  unescapeName,
} from "../wire/mod.ts";
import { fileVersion, sameVersion } from "./digest_cache.ts";
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

/** Where a download starts: the whole file, or the rest of one version. */
interface From {
  /** The version the client has part of; `null` for none (`get`). */
  version: string | null;
  /** How many bytes of that version it has. */
  offset: number;
}

/**
 * `get <name>`: sends the file, or says why not. The connection stays
 * usable after a refusal; a transfer that cannot finish throws, which ends
 * the connection, since nothing can be said in the middle of raw bytes.
 */
export function sendFile(request: RequestContext, name: string): Promise<void> {
  return serveFile(request, name, null);
}

/**
 * `resume <offset> <version> <name>`: the rest of the file from `offset`
 * when it is still that version, else the whole file (as HTTP's
 * `If-Range`), with the version and offset said before the header; the
 * trailer's SHA-256 is the whole file's either way.
 */
export async function resumeFile(
  request: RequestContext,
  args: ResumeArguments | null,
): Promise<void> {
  if (args === null) {
    request.out.line(
      Code.BadArguments,
      `Usage: ${COMMANDS.resume.usage} (${NO_VERSION} for no version, with offset 0)`,
    );
    return;
  }
  await serveFile(request, args.name, args);
}

async function serveFile(
  request: RequestContext,
  name: string,
  from: From | null,
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
  try {
    const file = escapeName(opened.name);
    const size = opened.info.size;
    const version = fileVersion(opened.info);
    // The rest of the version the client has, or all of this one (a part
    // longer than the file cannot be of it).
    const start = from?.version === version && from.offset <= size
      ? from.offset
      : 0;
    const resumed = from === null ? null : { version, offset: start };
    await logTransfer(
      request,
      file,
      size,
      start,
      (progress) => transfer(request, opened, progress, resumed),
    );
  } finally {
    opened.file.close();
  }
}

/** Runs a transfer of `file` from byte `start`, and logs how it went. */
async function logTransfer(
  { client, server }: RequestContext,
  file: string,
  size: number,
  start: number,
  run: (progress: { sent: number }) => Promise<void>,
): Promise<void> {
  const progress = { sent: 0 };
  const bytes = size - start;
  const what = start === 0 ? file : `the rest of ${file} from byte ${start}`;
  const { clock } = server;
  const started = clock.now();
  try {
    await run(progress);
    const ms = clock.now() - started;
    server.log(
      "DOWNLOAD",
      `${client} got ${what} (${formatBytes(bytes)} in ${formatDuration(ms)}, ${
        formatBytes(bytes / Math.max(ms, 1) * 1000)
      }/s)`,
      {
        client,
        file,
        outcome: "sent",
        bytes,
        offset: start,
        durationMs: Math.round(ms),
      },
    );
  } catch (error) {
    // The disconnect line that follows says why.
    const ms = clock.now() - started;
    server.log(
      "DOWNLOAD",
      `${client} did not get ${what}: cut after ${
        formatBytes(progress.sent)
      } of ${formatBytes(bytes)} in ${formatDuration(ms)}`,
      {
        client,
        file,
        outcome: "cut",
        bytes,
        offset: start,
        sentBytes: progress.sent,
        durationMs: Math.round(ms),
      },
    );
    throw error;
  }
}

/** How often a resumed download says how far it has read the client's part. */
export const NOTE_EVERY_MS = 1000;

async function transfer(
  { out, server, signal, flush, send }: RequestContext,
  { file, name, path, info }: OpenedFile,
  progress: { sent: number },
  resumed: { version: string; offset: number } | null,
): Promise<void> {
  const { digests, clock } = server;
  const start = resumed?.offset ?? 0;
  // File times are wall-clock times, so this is read from the wall clock.
  const statAt = clock.date().getTime();
  const known = digests.get(path, info);
  // The trailer covers the whole file: without a remembered digest, the
  // part the client has is read and hashed first, and not sent. Meanwhile
  // the header waits, and a line each second says how far the reading is,
  // so the client knows the server is at work (and a client gone is seen).
  const reading = known === null && start > 0;
  if (resumed !== null) out.fileFields(resumed.version, resumed.offset);
  let headed = false;
  const head = async () => {
    if (headed) return;
    headed = true;
    out.fileHeader(info.size - start, escapeName(name));
    await flush();
  };
  if (reading) await flush();
  else await head();
  let noted = clock.now();
  const note = async (hashed: number) => {
    if (clock.now() - noted < NOTE_EVERY_MS) return;
    noted = clock.now();
    out.fileNote(
      `Reading the ${formatBytes(start)} the client has: ${
        formatBytes(hashed)
      } so far`,
    );
    await flush();
  };
  const counted = async (chunk: Uint8Array) => {
    await head();
    await send(chunk);
    progress.sent += chunk.length;
  };
  if (known !== null && start > 0) await file.seek(start, Deno.SeekMode.Start);
  const digest = await streamFile(
    file,
    known === null ? info.size : info.size - start,
    counted,
    {
      hash: known === null,
      skip: known === null ? start : 0,
      onSkipped: note,
      signal,
      threads: server.hashThreads,
    },
  );
  await head(); // nothing followed the part the client has
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
