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
  unescapeName,
} from "../wire/mod.ts";
import { ReplyError } from "./errors.ts";
import { type KeptPart, keptPartOf } from "./kept_part.ts";
import { VerificationError } from "./checks.ts";
import { PartialFile, type WhenTaken } from "./partial_file.ts";
import { safeFileName } from "./saved_name.ts";
import { checkFits } from "./space.ts";
import { STANDARD_OUTPUT, StreamedFile } from "./streamed_file.ts";

/** Receives a download's raw bytes; resolving is the backpressure. */
export type PayloadSink = (chunk: Uint8Array) => Promise<void>;

/** For a request answered with raw bytes: where those bytes go. */
export type PayloadHandler = (header: FileHeader) => Promise<PayloadSink>;

/** What a download needs of a session (see `Session.fetch`). */
export interface Fetcher {
  /** Sends `line`; raw bytes of its reply go where `onPayload` says. */
  fetch(line: string, onPayload: PayloadHandler): Promise<Reply>;
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
}

/** Where a download's bytes go: a file, or a stream (`-o -`). */
type Destination = Pick<
  PartialFile,
  "size" | "received" | "offset" | "write" | "finish" | "discard"
>;

/** For `get -c`: the name to save as, and the part kept, if any. */
interface Resuming {
  /** The safe name the file is saved under, by the name asked for. */
  savedName: string;
  /** The part kept from before, hashed. */
  kept: KeptPart | null;
}

/** Where a download's bytes go, and whatever stopped them going there. */
class Receiver {
  partial: Destination | undefined;
  error: Error | undefined;
  readonly #dir: string;
  readonly #chosenName: string | undefined;
  readonly #onProgress: DownloadOptions["onProgress"];
  readonly #maxBytes: number;
  readonly #stdout: Writer | undefined;
  readonly #resuming: Resuming | null;
  readonly #onNotice: DownloadOptions["onNotice"];

  constructor(options: DownloadOptions, resuming: Resuming | null = null) {
    this.#resuming = resuming;
    this.#onNotice = options.onNotice;
    if (options.saveAs === undefined) {
      this.#dir = options.dir;
    } else {
      [this.#dir, this.#chosenName] = splitPath(options.saveAs);
    }
    this.#onProgress = options.onProgress;
    this.#maxBytes = options.maxBytes;
    this.#stdout = options.saveAs === STANDARD_OUTPUT
      ? options.stdout
      : undefined;
  }

  /**
   * Opens the temporary file for the announced download.
   *
   * @throws {DownloadRefusedError} for a file too large to take: the
   * connection must then close, since its bytes cannot be skipped.
   */
  open: PayloadHandler = async (header) => {
    // The header carries the name escaped, as `list` shows it.
    const name = unescapeName(header.name) ?? header.name;
    if (this.#stdout !== undefined) {
      // No folder and no free space to check: only the size limit.
      await checkFits(escapeControl(name), header.size, this.#maxBytes, null);
      this.partial = new StreamedFile(this.#stdout, name, header.size);
      this.#onProgress?.(0, header.size);
      return this.#write;
    }
    try {
      await Deno.mkdir(this.#dir, { recursive: true });
    } catch {
      // PartialFile.create says what is wrong with the folder.
    }
    await checkFits(
      escapeControl(name),
      header.size,
      this.#maxBytes,
      this.#dir,
    );
    try {
      this.partial = await this.#create(name, header);
    } catch (error) {
      this.error = error as Error;
    }
    this.#onProgress?.(this.partial?.received ?? 0, this.partial?.size ?? 0);
    return this.#write;
  };

  async #create(name: string, header: FileHeader): Promise<PartialFile> {
    const resuming = this.#resuming;
    if (resuming === null) {
      return await PartialFile.create(
        this.#dir,
        name,
        header.size,
        this.#chosenName,
      );
    }
    // Saved by the name asked for: the part kept is found by that name.
    const { kept, savedName } = resuming;
    if (kept !== null && header.offset === 0 && header.version !== null) {
      this.#onNotice?.(
        `${escapeControl(savedName)} ${
          header.version === kept.version
            ? "cannot be continued from its kept part"
            : "changed on the server since its part was kept"
        }; getting it from the start`,
      );
    }
    return await PartialFile.resumable(this.#dir, savedName, header, kept);
  }

  // A failed write stops saving, not reading: the connection must stay in
  // step with the server, so the rest of the bytes are drained.
  #write: PayloadSink = async (chunk) => {
    const partial = this.partial;
    if (!partial || this.error) return;
    try {
      await partial.write(chunk);
      this.#onProgress?.(partial.received, partial.size);
    } catch (error) {
      this.error = error as Error;
    }
  };
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
  const resuming = options.resume && options.saveAs !== STANDARD_OUTPUT
    ? await findResuming(name, options)
    : null;
  const receiver = new Receiver(options, resuming);
  const { clock } = options;
  const started = clock.now();
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
      options.onNotice?.(
        `This server cannot continue downloads; getting ${
          escapeControl(name)
        } whole, and nothing of it is kept if it is cut`,
      );
      return await download(session, name, { ...options, resume: false });
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
  } finally {
    await receiver.partial?.discard();
  }
}

/** For `get -c NAME`: the name it is saved as, and its part kept, hashed. */
async function findResuming(
  name: string,
  options: DownloadOptions,
): Promise<Resuming> {
  const [dir, savedName] = options.saveAs === undefined
    ? [options.dir, safeFileName(unescapeName(name) ?? name)]
    : splitPath(options.saveAs);
  const kept = await keptPartOf(dir, savedName, (found) =>
    options.onNotice?.(
      `Continuing ${escapeControl(savedName)} after the ${
        formatBytes(found.size)
      } kept in ${escapeControl(found.path)}`,
    ));
  return { savedName, kept };
}
