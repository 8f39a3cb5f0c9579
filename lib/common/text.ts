/**
 * Text for people: timestamps, durations, escaping of untrusted text,
 * aligned columns and addresses. Pure functions; callers decide where the
 * text goes.
 *
 * @module
 */

import { formatBytes as stdFormatBytes } from "./std.ts";

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${
    pad2(date.getDate())
  }`;
}

function localTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${
    pad2(date.getSeconds())
  }.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/**
 * Formats a local time as `YYYY-MM-DD HH:MM:SS.mmm`, the shape of the
 * course's reference server with milliseconds instead of microseconds.
 */
export function formatTimestamp(date: Date): string {
  return `${localDay(date)} ${localTime(date)}`;
}

/**
 * Formats a local time in ISO 8601 with its offset from UTC, such as
 * `2026-11-25T19:09:46.123+01:00`: exact for programs, and the same wall
 * clock as {@linkcode formatTimestamp} for people.
 */
export function formatIsoTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.abs(offset);
  return `${localDay(date)}T${localTime(date)}${sign}${
    pad2(Math.floor(minutes / 60))
  }:${pad2(minutes % 60)}`;
}

// Controls a terminal acts on, and characters that are invisible or turn
// the text around it (zero-width, byte order mark, bidirectional controls,
// line and paragraph separators).
// Tab is left alone: it is spacing, and it stays in the text.
const CONTROL = /(?!\t)\p{Cc}|[\u2028\u2029]|\p{Cf}/gu;

/**
 * The visible escape of one character (a code point): `\n`, `\r`, else
 * `\xHH` up to U+00FF and `\u{H…}` above.
 */
export function escapeCharacter(char: string): string {
  switch (char) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
  }
  const code = char.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u{${code.toString(16)}}`;
}

/**
 * Makes untrusted text safe to print: control characters that a terminal
 * would act on (escape sequences included) become visible escapes such as
 * `\x1b`, and so do invisible and direction-changing characters
 * (`\u{202e}`); everything else, tab and all other Unicode text, is left as
 * it is.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeCharacter);
}

/**
 * Formats milliseconds for people, in one style everywhere: a number, a
 * space and a unit, to the precision a person reads (`3 ms`, `1.4 s`,
 * `2 min 5 s`, `3 h 7 min`).
 *
 * @example Usage
 * ```ts
 * import { formatDuration } from "./text.ts";
 *
 * formatDuration(1400); // "1.4 s"
 * formatDuration(99674); // "1 min 40 s"
 * ```
 */
export function formatDuration(ms: number): string {
  const time = Math.max(0, ms);
  if (time < 999.5) return `${Math.round(time)} ms`;
  const tenths = Math.round(time / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(time / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Formats a byte count for people, in binary units everywhere, as the
 * size flags count them (`16G` is 16 GiB): `198 B`, `10.3 KiB`, `1 GiB`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./text.ts";
 *
 * formatBytes(65536); // "64 KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  return stdFormatBytes(bytes, { binary: true }).replace("kiB", "KiB");
}

/**
 * Formats rows as columns separated by two spaces, left-aligned except the
 * column indexes in `right` (numbers read better right-aligned).
 */
export function alignColumns(
  rows: readonly (readonly string[])[],
  options: { right?: readonly number[] } = {},
): string[] {
  const right = new Set(options.right ?? []);
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => {
      if (right.has(i)) return cell.padStart(widths[i]);
      return i === row.length - 1 ? cell : cell.padEnd(widths[i]);
    }).join("  ")
  );
}

/** Formats a network address as `host:port`, or `[host]:port` for IPv6. */
export function formatAddress(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
