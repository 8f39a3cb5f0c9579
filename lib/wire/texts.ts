/**
 * The words of the replies that carry fixed text or structured values, each
 * with its parser where a client reads it back: one place for both
 * directions.
 *
 * @module
 */

import { alignColumns, formatBytes, formatTimestamp } from "../common/mod.ts";
import { VERSION_PATTERN } from "./arguments.ts";
import { Code } from "./codes.ts";
import { COMMANDS } from "./commands.ts";
import { TOKEN_VARIABLE } from "./hello.ts";

const SHA256_PREFIX = "SHA-256 ";

/** Why the server closes a connection on its own (`421`). */
export type CloseReason =
  | { kind: "shutdown" }
  | { kind: "idle"; timeoutMs: number }
  | { kind: "full"; maxClients: number }
  | { kind: "evicted" }
  | { kind: "yielded"; idleMs: number }
  | { kind: "stalled"; stallMs: number }
  | { kind: "wrong-tokens"; tries: number }
  | { kind: "protected" };

/** Why a `get` was refused, and the name it was refused for. */
export interface Refusal {
  /**
   * `not-a-name`: not a plain name of this folder (a path, `..`);
   * `missing`: no such file; `not-a-file`: a folder, device or FIFO;
   * `unreadable`: the file exists but could not be read (`detail` says why).
   */
  reason: "not-a-name" | "missing" | "not-a-file" | "unreadable";
  /** The name the client asked for. */
  name: string;
  /** For `unreadable`: what went wrong, for people. */
  detail?: string;
}

/** The text of a `421` reply: the server is closing the connection. */
export function closingText(reason: CloseReason): string {
  switch (reason.kind) {
    case "shutdown":
      return "Server is shutting down";
    case "idle":
      return `Idle timeout: no request for ${
        reason.timeoutMs / 1000
      } s; closing`;
    case "full":
      return `Server is full: ${reason.maxClients} of ${reason.maxClients} client${
        reason.maxClients === 1 ? "" : "s"
      } connected; try again later`;
    case "evicted":
      return "Server is full and this connection has sent no request; closing to make room";
    case "yielded":
      return `Server is full and this connection made no request for ${
        reason.idleMs / 1000
      } s; closing to make room`;
    case "stalled":
      return `No bytes of the reply taken for ${
        reason.stallMs / 1000
      } s; closing`;
    case "wrong-tokens":
      return `Wrong token ${reason.tries} times; closing`;
    case "protected":
      return `This server serves only its own machine: to serve the network, start it with a token (${TOKEN_VARIABLE} or --token-file), or with --open to serve anyone on purpose`;
  }
}

/**
 * Whether a `421`'s text says the server is full, as
 * {@linkcode closingText} words it: a client may try again soon.
 */
export function isServerFull(text: string): boolean {
  const number = /\d+/.exec(text);
  return number !== null &&
    text === closingText({ kind: "full", maxClients: Number(number[0]) });
}

/** The code of a refusal: `451` when the file could not be read, else `550`. */
export function refusalCode(refusal: Refusal): number {
  return refusal.reason === "unreadable" ? Code.FileError : Code.NoSuchFile;
}

/** The text of a refusal, as the reply (and the server's log) says it. */
export function refusalText({ reason, name, detail }: Refusal): string {
  switch (reason) {
    case "not-a-name":
      return `Not a file name in this folder: ${name} (use a name from 'list')`;
    case "missing":
      return `No such file: ${name}`;
    case "not-a-file":
      return `Not a regular file: ${name}`;
    case "unreadable":
      return `Cannot read ${name}: ${detail}`;
  }
}

const GREETING_PREFIX = "Connected as ";

/** The text of a greeting: `Connected as <name>`. */
export function formatGreeting(name: string): string {
  return GREETING_PREFIX + name;
}

/**
 * Reads the client's name out of a greeting's text.
 *
 * @returns `null` when the text is not a greeting.
 */
export function parseGreeting(text: string): string | null {
  if (!text.startsWith(GREETING_PREFIX)) return null;
  const name = text.slice(GREETING_PREFIX.length);
  return name === "" ? null : name;
}

/** The parts of a download header: `150 <size> <name>`. */
export interface FileHeader {
  /** Exact number of raw bytes that follow the header line. */
  size: number;
  /** The file name as the server sent it; not safe as a path. */
  name: string;
  /**
   * The file's version, which `resume` takes back to continue it; `null`
   * when the header came without one (the reply to `get`).
   */
  version: string | null;
  /** The byte of the file the raw bytes start at: 0 but for `resume`. */
  offset: number;
}

const VERSION_FIELD = "Version ";
const OFFSET_FIELD = "Offset ";

/** The text of a download header: `<size> <name>`. */
export function formatFileHeader(size: number, name: string): string {
  return `${size} ${name}`;
}

/**
 * The lines that come before a resumed download's header (each after
 * `150-`): the file's version, and the byte its raw bytes start at.
 */
export function formatFileFields(version: string, offset: number): string[] {
  return [VERSION_FIELD + version, OFFSET_FIELD + String(offset)];
}

/** What the `150-` lines before a download's header said, so far. */
export interface FileFields {
  /** The file's version, if said. */
  version: string | null;
  /** The byte the raw bytes start at; 0 if not said. */
  offset: number;
}

/**
 * Reads one `150-` line before a download's header (see
 * {@linkcode formatFileFields}) into `fields`; a line it does not know
 * (the server's word on its progress, a later field) is passed over, so it
 * costs nothing and breaks no reader.
 *
 * @returns `false` when a known field is malformed.
 */
export function readFileField(text: string, fields: FileFields): boolean {
  if (text.startsWith(VERSION_FIELD)) {
    const version = text.slice(VERSION_FIELD.length);
    fields.version = version;
    return VERSION_PATTERN.test(version);
  }
  if (text.startsWith(OFFSET_FIELD)) {
    const digits = text.slice(OFFSET_FIELD.length);
    fields.offset = Number(digits);
    return /^\d{1,16}$/.test(digits) && Number.isSafeInteger(fields.offset);
  }
  return true;
}

/**
 * Reads the text of a download header, with the texts of the `150-` lines
 * before it (see {@linkcode readFileField}).
 *
 * @returns `null` when the text is not a valid header, or a known field
 * is malformed.
 */
export function parseFileHeader(
  text: string,
  fields: readonly string[] = [],
): FileHeader | null {
  const header = new HeaderFields();
  for (const field of fields) header.read(field);
  return header.header(text);
}

/**
 * The `150-` lines of one download header as they come, then its header
 * line: what a reader keeps of them is two fields, however many come.
 */
export class HeaderFields {
  #said: FileFields | null = { version: null, offset: 0 };

  /** Takes the text of one `150-` line (see {@linkcode readFileField}). */
  read(text: string): void {
    if (this.#said && !readFileField(text, this.#said)) this.#said = null;
  }

  /**
   * The header with what was said before it, and a fresh start for the
   * next one.
   *
   * @returns `null` when the header, or a field before it, is malformed.
   */
  header(text: string): FileHeader | null {
    const said = this.#said;
    this.#said = { version: null, offset: 0 };
    return said && headerWith(text, said);
  }
}

/**
 * The header `text` with what the lines before it said.
 *
 * @returns `null` when the text is not a valid header.
 */
function headerWith(text: string, said: FileFields): FileHeader | null {
  const match = /^(\d{1,16}) (.+)$/s.exec(text);
  if (!match) return null;
  const size = Number(match[1]);
  if (!Number.isSafeInteger(size)) return null;
  return { size, name: match[2], ...said };
}

/**
 * Reads the hex SHA-256 out of a download trailer.
 *
 * @returns `null` when the text is not a valid trailer.
 */
export function parseFileTrailer(text: string): string | null {
  if (!text.startsWith(SHA256_PREFIX)) return null;
  const hex = text.slice(SHA256_PREFIX.length);
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** The text of a download trailer: `SHA-256 <hex>`. */
export function formatFileTrailer(sha256Hex: string): string {
  return SHA256_PREFIX + sha256Hex;
}

/** One file as a row of the `list` reply. */
export interface ListedFile {
  /** The name as `list` shows it (see `escapeName`). */
  shownName: string;
  /** Size in bytes. */
  size: number;
  /** Last modified, when known. */
  modified: Date | null;
}

/**
 * The rows of a `list` reply: name, size and time of each file, in aligned
 * columns.
 */
export function formatFileRows(files: readonly ListedFile[]): string[] {
  return alignColumns(
    files.map((file) => [
      file.shownName,
      formatBytes(file.size),
      file.modified ? formatTimestamp(file.modified) : "-",
    ]),
    { right: [1] },
  );
}

// Size and time at the end of a row; a shown name never ends in white
// space, so the name is everything before them.
const FILE_ROW =
  /^(.*\S) {2,}\d+(?:\.\d+)? (?:[kKMGTPE]i?)?B {2}(?:-|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})$/s;

/**
 * Reads the name, as `get` takes it, out of a row of a `list` reply.
 *
 * @returns `null` when the row is not a file row.
 */
export function parseFileRow(row: string): string | null {
  return FILE_ROW.exec(row)?.[1] ?? null;
}

/**
 * `hello` as the client named `client` types it, with its token
 * (`required`) or without one needed.
 */
export function helloForm(client: string, tokenRequired: boolean): string {
  const usage = COMMANDS.hello.usage.replace("<name>", client);
  return tokenRequired ? usage.replace("[<token>]", "<token>") : usage;
}
