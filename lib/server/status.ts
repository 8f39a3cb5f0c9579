/**
 * The content of the `status` reply: the connection cache as an aligned
 * table and a summary line.
 *
 * @module
 */

import {
  alignColumns,
  formatDuration,
  formatTimestamp,
} from "../common/mod.ts";
import type { ClientRecord } from "./cache.ts";

const HEADER = ["Client", "Address", "Connected", "Disconnected", "Duration"];

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
      formatDuration(end.getTime() - record.connectedAt.getTime()),
    ];
  });
  const connected = records.filter((record) => !record.disconnectedAt).length;
  const noun = records.length === 1 ? "client" : "clients";
  return {
    lines: alignColumns([HEADER, ...rows]),
    summary: `${records.length} ${noun} since start, ${connected} connected`,
  };
}

const SUMMARY = /^(\d+) clients? since start, (\d+) connected$/;

/**
 * Reads the summary line of a `status` reply back (for tools that check a
 * server from outside).
 *
 * @returns `null` when the line is not a status summary.
 */
export function parseStatusSummary(
  line: string,
): { total: number; connected: number } | null {
  const match = SUMMARY.exec(line);
  return match
    ? { total: Number(match[1]), connected: Number(match[2]) }
    : null;
}
