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

const HEADER = [
  "Client",
  "Address",
  "Connected",
  "Disconnected",
  "Duration",
  "Program",
];

/** How many clients a status covers beyond the records it lists. */
export interface StatusCounts {
  /** Clients accepted since start. */
  accepted: number;
  /** Clients that left and are no longer listed. */
  forgotten: number;
}

/**
 * Formats the records as table lines (header first) and a summary line.
 * The duration of a connected client runs up to `now`. `counts` default
 * to the records being all the clients there were.
 */
export function formatStatus(
  records: readonly ClientRecord[],
  now: Date,
  counts: StatusCounts = { accepted: records.length, forgotten: 0 },
): { lines: string[]; summary: string } {
  const rows = records.map((record) => {
    const end = record.disconnectedAt ?? now;
    return [
      record.name,
      record.address,
      formatTimestamp(record.connectedAt),
      record.disconnectedAt ? formatTimestamp(record.disconnectedAt) : "-",
      formatDuration(end.getTime() - record.connectedAt.getTime()),
      record.agent ?? "-",
    ];
  });
  const connected = records.filter((record) => !record.disconnectedAt).length;
  const { accepted, forgotten } = counts;
  const noun = (n: number) => n === 1 ? "client" : "clients";
  const notShown = forgotten > 0
    ? `; ${forgotten} earlier ${noun(forgotten)} not shown`
    : "";
  return {
    lines: alignColumns([HEADER, ...rows]),
    summary: `${accepted} ${
      noun(accepted)
    } since start, ${connected} connected${notShown}`,
  };
}

const SUMMARY =
  /^(\d+) clients? since start, (\d+) connected(?:; (\d+) earlier clients? not shown)?$/;

/**
 * Reads the summary line of a `status` reply back (for tools that check a
 * server from outside).
 *
 * @returns `null` when the line is not a status summary.
 */
export function parseStatusSummary(
  line: string,
): { total: number; connected: number; notShown: number } | null {
  const match = SUMMARY.exec(line);
  return match
    ? {
      total: Number(match[1]),
      connected: Number(match[2]),
      notShown: Number(match[3] ?? 0),
    }
    : null;
}
