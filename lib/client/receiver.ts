/**
 * Where a download's bytes go as they arrive: the file made for them (a
 * kept part taken over for `get -c`), or a stream (`-o -`), and whatever
 * stopped them going there.
 *
 * @module
 */

import { escapeControl, splitPath, type Writer } from "../common/mod.ts";
import { type FileHeader, unescapeName } from "../wire/mod.ts";
import type {
  DownloadOptions,
  PayloadHandler,
  PayloadSink,
} from "./download.ts";
import type { KeptPart } from "./kept_part.ts";
import { PartialFile } from "./partial_file.ts";
import { checkFits, DownloadRefusedError } from "./space.ts";
import { STANDARD_OUTPUT, StreamedFile } from "./streamed_file.ts";

/** Where a download's bytes go: a file, or a stream (`-o -`). */
export type Destination = Pick<
  PartialFile,
  "size" | "received" | "offset" | "write" | "finish" | "discard"
>;

/** For `get -c`: the name to save as, and the part kept, if any. */
export interface Resuming {
  /** The safe name the file is saved under, by the name asked for. */
  savedName: string;
  /** Tells apart parts of files saved under one name (see `nameTag`). */
  tag: string;
  /** The part kept from before, hashed. */
  kept: KeptPart | null;
  /** Whether the download's file took the part over (see `resumable`). */
  taken: boolean;
}

/** Where a download's bytes go, and whatever stopped them going there. */
export class Receiver {
  partial: Destination | undefined;
  error: Error | undefined;
  readonly #dir: string;
  readonly #chosenName: string | undefined;
  readonly #onProgress: DownloadOptions["onProgress"];
  readonly #maxBytes: number;
  readonly #stdout: Writer | undefined;
  readonly #resuming: Resuming | null;
  readonly #onNotice: DownloadOptions["onNotice"];
  readonly #onHeader: (() => void) | undefined;

  constructor(
    options: DownloadOptions,
    resuming: Resuming | null = null,
    onHeader?: () => void,
  ) {
    this.#resuming = resuming;
    this.#onHeader = onHeader;
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
    // The whole file counts against the limit, the rest against the space.
    await checkFits(
      escapeControl(name),
      header.size,
      this.#maxBytes,
      this.#dir,
      header.offset,
    );
    this.#onHeader?.();
    try {
      this.partial = await this.#create(name, header);
    } catch (error) {
      // A part that cannot be had refuses the download before its bytes
      // come, as a file too large does.
      if (error instanceof DownloadRefusedError) throw error;
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
    const { kept, savedName, tag } = resuming;
    if (kept !== null && header.offset === 0 && header.version !== null) {
      this.#onNotice?.(
        `${escapeControl(savedName)} ${
          header.version === kept.version
            ? "cannot be continued from its kept part"
            : "changed on the server since its part was kept"
        }; getting it from the start`,
      );
    }
    resuming.taken = true;
    return await PartialFile.resumable(
      this.#dir,
      savedName,
      tag,
      header,
      kept,
    );
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
