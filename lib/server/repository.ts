/**
 * The folder of files the server offers: listing it, and turning a name a
 * client sent into an open regular file inside it, or a refusal.
 *
 * @module
 */

import { SEPARATOR } from "../common/mod.ts";
import { type Opener, OpensPendingError } from "./opener.ts";
import {
  escapeName,
  isNameTooLong,
  type Refusal,
  refusalText,
} from "../wire/mod.ts";

/** One file as `list` shows it. */
export interface RepositoryListing {
  /** The regular files, sorted by name. */
  entries: RepositoryEntry[];
  /** Files left out because their names are not UTF-8 (they cannot be asked for). */
  notUtf8: number;
}

/** One regular file of the folder. */
export interface RepositoryEntry {
  /** File name inside the folder. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Last modification, if the platform reports it. */
  modified: Date | null;
}

/** Thrown when the folder itself cannot be served; the message says why. */
export class RepositoryError extends Error {
  /** Creates the error with a message a user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RepositoryError";
  }
}

/** Why a requested name was refused; the reply says so to the client. */
export class FileRefusal extends Error {
  /** The reason, as the reply builder takes it. */
  readonly refusal: Refusal;

  /**
   * Creates a refusal for `reason` of the name shown as `name` (escaped:
   * it goes into a reply line).
   */
  constructor(
    reason: Refusal["reason"],
    name: string,
    detail?: string,
  ) {
    const refusal: Refusal = { reason, name, detail };
    super(refusalText(refusal));
    this.name = "FileRefusal";
    this.refusal = refusal;
  }
}

/** A file opened for download, with the metadata read from the open file. */
export interface OpenedFile {
  /** The open file; the caller closes it. */
  file: Deno.FsFile;
  /** The name to announce (the requested name). */
  name: string;
  /** Resolved path inside the folder. */
  path: string;
  /** Metadata of the opened file. */
  info: Deno.FileInfo;
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "it does not exist";
  if (error instanceof Deno.errors.NotCapable) {
    return "this program has no permission to read it (see --allow-read)";
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return "permission denied";
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Says what went wrong with a file system call in words fit for a client:
 * the system's description without the path it names, which would tell a
 * client where the served folder is on this machine.
 */
export function describeForClient(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "it does not exist";
  if (error instanceof Deno.errors.TimedOut) return error.message;
  if (error instanceof OpensPendingError) return error.message;
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return "permission denied";
  }
  const message = error instanceof Error ? error.message : "";
  return /^(.+?) \(os error \d+\)/.exec(message)?.[1] ?? "input/output error";
}

/** What the handlers of `list` and `get` need of the served folder. */
export interface Repository {
  /** The regular files of the folder (see {@linkcode FileRepository.list}). */
  list(): Promise<RepositoryListing>;
  /** Opens one of them by name (see {@linkcode FileRepository.openFile}). */
  openFile(name: string, signal?: AbortSignal): Promise<OpenedFile>;
}

// Path separators and NUL; a backslash is a separator only on Windows.
const NOT_IN_A_NAME = Deno.build.os === "windows" ? /[/\\\0]/ : /[/\0]/;

/** A folder of files served read-only, never reading outside it. */
export class FileRepository implements Repository {
  /** The folder's real path (symlinks resolved). */
  readonly root: string;
  readonly #opener: Opener;

  private constructor(root: string, opener: Opener) {
    this.root = root;
    this.#opener = opener;
  }

  /**
   * Opens the folder at `dir` after checking that it is a readable folder;
   * its files open with `opener`.
   *
   * @throws {RepositoryError} if it is missing, not a folder or unreadable.
   */
  static async open(dir: string, opener: Opener): Promise<FileRepository> {
    try {
      const root = await Deno.realPath(dir);
      const info = await Deno.stat(root);
      if (!info.isDirectory) {
        throw new RepositoryError(`Cannot serve ${dir}: it is not a folder`);
      }
      // Reading one entry proves the folder can be listed.
      for await (const _ of Deno.readDir(root)) break;
      return new FileRepository(root, opener);
    } catch (error) {
      if (error instanceof RepositoryError) throw error;
      throw new RepositoryError(`Cannot serve ${dir}: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Lists the regular files directly in the folder, sorted by name, and
   * counts those whose names are not UTF-8 (they arrive here with U+FFFD in
   * place of the bytes that are not, so they cannot be opened by name). A
   * link is listed as `get` serves it: when it leads to a regular file
   * inside the folder.
   */
  async list(): Promise<RepositoryListing> {
    const entries: RepositoryEntry[] = [];
    let notUtf8 = 0;
    for await (const entry of Deno.readDir(this.root)) {
      if (!entry.isFile && !entry.isSymlink) continue;
      try {
        const info = await this.#lookUp(entry.name);
        if (info === null || !info.isFile) continue;
        entries.push({
          name: entry.name,
          size: info.size,
          modified: info.mtime,
        });
      } catch (error) {
        if (
          error instanceof Deno.errors.NotFound && entry.name.includes("\ufffd")
        ) {
          notUtf8++;
        }
        // Otherwise removed between listing and stat: no longer there.
      }
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return { entries, notUtf8 };
  }

  /**
   * Opens the regular file called `name` directly inside the folder.
   * Names with path separators, `.` and `..` are refused before any file
   * system call; a symlink is followed only if it stays inside the folder.
   *
   * @throws {FileRefusal} for anything that is not such a file, or that
   * does not open within the time given or before `signal`.
   */
  async openFile(name: string, signal?: AbortSignal): Promise<OpenedFile> {
    if (
      name === "" || name === "." || name === ".." || NOT_IN_A_NAME.test(name)
    ) {
      throw new FileRefusal("not-a-name", escapeName(name));
    }
    if (isNameTooLong(name)) throw new FileRefusal("missing", escapeName(name));
    let path: string;
    try {
      path = await Deno.realPath(this.root + SEPARATOR + name);
    } catch (error) {
      throw this.#refusal(name, error);
    }
    if (!path.startsWith(this.root + SEPARATOR)) {
      throw new FileRefusal("missing", escapeName(name));
    }
    let file: Deno.FsFile | undefined;
    try {
      const before = await Deno.stat(path);
      if (!before.isFile) {
        throw new FileRefusal("not-a-file", escapeName(name));
      }
      // Checked again once open: it may have been swapped since.
      file = await this.#opener.open(path, signal);
      const info = await file.stat();
      if (!info.isFile) {
        throw new FileRefusal("not-a-file", escapeName(name));
      }
      return { file, name, path, info };
    } catch (error) {
      file?.close();
      // Stopped: the connection ends, with no refusal to say.
      if (signal?.aborted) throw error;
      throw error instanceof FileRefusal ? error : this.#refusal(name, error);
    }
  }

  /**
   * What `name` in the folder is, a link followed when it stays inside;
   * `null` for a link that leads out.
   */
  async #lookUp(name: string): Promise<Deno.FileInfo | null> {
    const path = this.root + SEPARATOR + name;
    const info = await Deno.lstat(path);
    if (!info.isSymlink) return info;
    try {
      const target = await Deno.realPath(path);
      return target.startsWith(this.root + SEPARATOR)
        ? await Deno.stat(target)
        : null;
    } catch {
      return null; // leads nowhere, or where the server may not look
    }
  }

  #refusal(name: string, error: unknown): FileRefusal {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.NotADirectory
    ) {
      return new FileRefusal("missing", escapeName(name));
    }
    return new FileRefusal(
      "unreadable",
      escapeName(name),
      describeForClient(error),
    );
  }
}
