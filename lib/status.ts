/**
 * The `status` reply: the connection cache as an aligned table.
 *
 * @module
 */

import { format as formatDuration } from "@std/fmt/duration";
import type { ClientRecord } from "./cache.ts";
import { alignColumns, formatTimestamp } from "./terminal.ts";

const HEADER = ["Client", "Address", "Connected", "Disconnected", "Duration"];

/** Formats milliseconds as `1m 39s 674ms`; zero reads `0ms`. */
export function formatElapsed(ms: number): string {
  const text: string = formatDuration(Math.max(0, Math.trunc(ms)), {
    ignoreZero: true,
  });
  return text || "0ms";
}

/**
 * Formats the records as table lines (header first) and a summary line.
 * The duration of a connected client runs up to `now`.
 */
export function formatStatus(
  records: readonly ClientRecord[],
  now: Date,
): { lines: string[]; summary: string } {
  const rows = records.map((record) => {
    const end = record.disconnectedAt ?? now;
    return [
      record.name,
      record.address,
      formatTimestamp(record.connectedAt),
      record.disconnectedAt ? formatTimestamp(record.disconnectedAt) : "-",
      formatElapsed(end.getTime() - record.connectedAt.getTime()),
    ];
  });
  const connected = records.filter((record) => !record.disconnectedAt).length;
  const noun = records.length === 1 ? "client" : "clients";
  return {
    lines: alignColumns([HEADER, ...rows]),
    summary: `${records.length} ${noun} since start, ${connected} connected`,
  };
}
