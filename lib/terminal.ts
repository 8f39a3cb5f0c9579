/**
 * Text for people: timestamps, escaping of untrusted text, and aligned
 * columns. Pure functions; callers decide where the text goes.
 *
 * @module
 */

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Formats a local time as `YYYY-MM-DD HH:MM:SS.mmm`, the shape of the
 * course's reference server with milliseconds instead of microseconds.
 */
export function formatTimestamp(date: Date): string {
  const day = `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${
    pad2(date.getDate())
  }`;
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${
    pad2(date.getSeconds())
  }.${String(date.getMilliseconds()).padStart(3, "0")}`;
  return `${day} ${time}`;
}

// C0 controls but tab, DEL and C1 controls: what a terminal may act on.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

function escapeOne(char: string): string {
  switch (char) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    default:
      return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  }
}

/**
 * Makes untrusted text safe to print: control characters that a terminal
 * would act on (escape sequences included) become visible escapes such as
 * `\x1b`; everything else, tab and all Unicode text, is left as it is.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** Formats a duration for a one-line summary: `3 ms`, `1.4 s`, `2m 5s`. */
export function formatMilliseconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
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
