/**
 * A download from start to finish: the `get` request, the raw bytes into a
 * temporary file, and the checks before the file gets its name.
 *
 * @module
 */

import {
  type Clock,
  escapeControl,
  formatBytes,
  splitPath,
  type Writer,
} from "../common/mod.ts";
import {
  Code,
  type FileHeader,
  formatRequest,
  isNotUnderstood,
  NO_VERSION,
  parseFileTrailer,
  type Reply,
  TruncatedPayloadError,
  unescapeName,
} from "../wire/mod.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";
import { keptPartOf, nameTag, releasePart } from "./kept_part.ts";
import { VerificationError } from "./checks.ts";
import { PartialFile, type WhenTaken } from "./partial_file.ts";
import { safeFileName } from "./saved_name.ts";
import { STANDARD_OUTPUT } from "./streamed_file.ts";
import { Receiver, type Resuming } from "./receiver.ts";

/** Receives a download's raw bytes; resolving is the backpressure. */
export type PayloadSink = (chunk: Uint8Array) => Promise<void>;

/** For a request answered with raw bytes: where those bytes go. */
export type PayloadHandler = (header: FileHeader) => Promise<PayloadSink>;

/** What a download needs of a session (see `Session.fetch`). */
export interface Fetcher {
  /** Sends `line`; raw bytes of its reply go where `onPayload` says. */
  fetch(line: string, onPayload: PayloadHandler): Promise<Reply>;
  /** Whether the connection has ended. */
  readonly isClosed: boolean;
}

/** What a successful download produced. */
export interface DownloadResult {
  /** Where the file was saved. */
  path: string;
  /** The name it was saved under. */
  name: string;
  /** Its size in bytes. */
  size: number;
  /** Its SHA-256, verified, as lowercase hex. */
  sha256: string;
  /** Bytes that were kept from a cut download and not fetched again. */
  offset: number;
  /** How long the transfer took, in milliseconds. */
  elapsedMs: number;
}

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  /** Folder to save into, created when needed. */
  dir: string;
  /** Called after each chunk with bytes received and bytes announced. */
  onProgress?: (received: number, size: number) => void;
  /**
   * Refuse a file larger than this many bytes; 0 for no limit. A file
   * larger than the free space of the folder is refused too.
   */
  maxBytes: number;
  /** How far numbered names go (`name (9999).ext`) before giving up. */
  maxNumbered: number;
  /** Where the time comes from. */
  clock: Clock;
  /** Save under exactly this path instead, its folder created if needed. */
  saveAs?: string;
  /**
   * Where the bytes go when `saveAs` is {@linkcode STANDARD_OUTPUT}
   * (`-o -`): written on as they arrive, checked at the end.
   */
  stdout?: Writer;
  /**
   * Replace a file already there. Otherwise a download into the folder
   * takes a numbered name (`name (1).ext`), and one saved as a chosen path
   * fails and keeps nothing.
   */
  overwrite?: boolean;
  /**
   * `get -c`: continue the part kept from a cut download of this file,
   * if there is one of the server's present version, and keep what
   * arrives if this one is cut too.
   */
  resume?: boolean;
  /** Told what a download does that was not asked for in so many words. */
  onNotice?: (text: string) => void;
  /** Told where what arrived is kept, when a `get -c` does not finish. */
  onKept?: (path: string) => void;
  /** Told when the file's header has come, before its bytes. */
  onHeader?: () => void;
}

/**
 * Thrown (as the cause of a {@linkcode ConnectionClosedError}) when a
 * download is cut; says whether what arrived is kept, and where.
 */
export class DownloadCutError extends Error {
  /** Where what arrived is kept (`get -c`), or `null` when nothing is. */
  readonly keptPath: string | null;

  /** Creates the error for a cut that `cause` describes. */
  constructor(cause: Error, keptPath: string | null) {
    super(
      `${cause.message}; ${
        keptPath === null
          ? "nothing was kept"
          : `what arrived is kept in ${escapeControl(keptPath)}`
      }`,
      { cause },
    );
    this.name = "DownloadCutError";
    this.keptPath = keptPath;
  }
}

/**
 * Downloads `name` from the server into a folder, verifying size and
 * SHA-256 before the file appears under its final name.
 *
 * @throws {ReplyError} if the server refuses the name.
 * @throws {VerificationError} if the bytes do not match.
 * @throws {ConnectionClosedError} if the connection ends first.
 */
export async function download(
  session: Fetcher,
  name: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  // `get -c` with no name is `get`'s mistake, said as `get`'s.
  const resuming = options.resume && name !== "" &&
      options.saveAs !== STANDARD_OUTPUT
    ? await findResuming(name, options)
    : null;
  const receiver = new Receiver(options, resuming, options.onHeader);
  const { clock } = options;
  const started = clock.now();
  let done = false;
  try {
    const trailer = await session.fetch(
      resuming === null ? formatRequest("get", name) : formatRequest(
        "resume",
        `${resuming.kept?.size ?? 0} ${
          resuming.kept?.version ?? NO_VERSION
        } ${name}`,
      ),
      receiver.open,
    );
    if (resuming !== null && isNotUnderstood(trailer.code)) {
      // Said once the plain `get` gets its header: a line too long for
      // this server closes the connection, which is no word on resuming,
      // and is said as the server's reply instead.
      const said = () =>
        options.onNotice?.(
          `This server cannot continue downloads; getting ${
            escapeControl(name)
          } whole, and nothing of it is kept if it is cut`,
        );
      let headed = false;
      try {
        const whole = await download(session, name, {
          ...options,
          resume: false,
          onHeader: () => {
            headed = true;
            said();
          },
        });
        done = true;
        return whole;
      } catch (error) {
        if (!headed && error instanceof ConnectionClosedError) {
          throw new ReplyError(trailer);
        }
        throw error;
      }
    }
    if (trailer.code !== Code.FileDone) throw new ReplyError(trailer);
    if (receiver.error) throw receiver.error;
    const partial = receiver.partial;
    if (!partial) throw new VerificationError("No file header arrived");
    const sha256 = parseFileTrailer(trailer.lines[0]);
    if (sha256 === null) {
      throw new VerificationError(
        `Malformed trailer: ${escapeControl(trailer.lines[0])}`,
      );
    }
    const whenTaken: WhenTaken = options.overwrite
      ? "replace"
      : options.saveAs === undefined
      ? { numberUpTo: options.maxNumbered }
      : "fail";
    const path = await partial.finish(sha256, whenTaken);
    done = true;
    return {
      path,
      name: path.slice(
        Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1,
      ),
      size: partial.size,
      sha256,
      offset: partial.offset,
      elapsedMs: clock.now() - started,
    };
  } catch (error) {
    if (
      error instanceof ConnectionClosedError &&
      error.cause instanceof TruncatedPayloadError
    ) {
      const partial = receiver.partial;
      const cut = new DownloadCutError(
        error.cause,
        partial instanceof PartialFile && partial.kept ? partial.path : null,
      );
      throw new ConnectionClosedError(cut.message, { cause: cut });
    }
    throw error;
  } finally {
    if (resuming?.kept && !resuming.taken) {
      // Not taken up: it stays as it was.
      releasePart(resuming.kept);
      if (!done) options.onKept?.(resuming.kept.path);
    }
    if (!done) {
      const partial = receiver.partial;
      await partial?.discard();
      if (partial instanceof PartialFile && partial.kept) {
        options.onKept?.(partial.path);
      }
    }
  }
}

/** For `get -c NAME`: the name it is saved as, and its part kept, hashed. */
async function findResuming(
  name: string,
  options: DownloadOptions,
): Promise<Resuming> {
  const asked = unescapeName(name) ?? name;
  const [dir, savedName] = options.saveAs === undefined
    ? [options.dir, safeFileName(asked)]
    : splitPath(options.saveAs);
  const tag = nameTag(asked);
  const kept = await keptPartOf(
    dir,
    savedName,
    tag,
    (found) =>
      options.onNotice?.(
        `Continuing ${escapeControl(savedName)} after the ${
          formatBytes(found.size)
        } kept in ${escapeControl(found.path)}`,
      ),
  );
  return { savedName, tag, kept, taken: false };
}
