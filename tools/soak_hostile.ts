/**
 * The hostile side of the soak run: peers that try to lock out, bloat or
 * slow down the server while honest clients use it. Each runs until the
 * deadline and counts what it did.
 *
 * @module
 */

import { writeAll } from "../lib/common/mod.ts";
import { ReplyReader } from "../lib/wire/mod.ts";

const encoder = new TextEncoder();
const RESET_STORM = new URL("../tests/fixtures/reset_storm.py", import.meta.url)
  .pathname;

/** What the hostile peers did, for the report. */
export interface HostileCounts {
  resets: number;
  silentHogs: number;
  tricklingHogs: number;
  statusStorms: number;
  churned: number;
}

/** Fresh counts, all zero. */
export function hostileCounts(): HostileCounts {
  return {
    resets: 0,
    silentHogs: 0,
    tricklingHogs: 0,
    statusStorms: 0,
    churned: 0,
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads and drops everything until the server closes the connection, or
 * closes it itself at `deadline`.
 */
async function untilClosed(conn: Deno.Conn, deadline: number): Promise<void> {
  const timer = setTimeout(
    () => conn.close(),
    Math.max(0, deadline - Date.now()),
  );
  const buf = new Uint8Array(4096);
  try {
    while (await conn.read(buf) !== null) { /* dropped */ }
  } catch {
    // Reset, or closed at the deadline: over just the same.
  } finally {
    clearTimeout(timer);
  }
}

/** Connects and never sends a byte; reconnects as soon as it is dropped. */
async function silentHog(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    counts.silentHogs++;
    await untilClosed(conn, deadline);
    closeQuietly(conn);
  }
}

/**
 * Sends one byte a second and never a line end; reconnects as soon as it
 * is dropped.
 */
async function tricklingHog(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    counts.tricklingHogs++;
    const closed = untilClosed(conn, deadline);
    let open = true;
    closed.then(() => open = false);
    while (open && Date.now() < deadline) {
      await writeAll(conn, encoder.encode("x")).catch(() => open = false);
      await Promise.race([pause(1000), closed]);
    }
    await closed;
    closeQuietly(conn);
  }
}

/** Pipelines twenty `status` requests at a time and reads the replies. */
async function statusStorm(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  const burst = encoder.encode("status\n".repeat(20));
  while (Date.now() < deadline) {
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const replies = new ReplyReader(conn);
    try {
      if (await replies.read() === null) continue; // the greeting, or full
      rounds: for (let round = 0; round < 10; round++) {
        if (Date.now() >= deadline) break;
        await writeAll(conn, burst);
        counts.statusStorms++;
        for (let i = 0; i < 20; i++) {
          if (await replies.read() === null) break rounds; // reconnect
        }
      }
    } catch {
      // Closed under it: try again.
    }
  }
}

/** Connects and closes at once, over and over. */
async function churn(port: number, deadline: number, counts: HostileCounts) {
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    counts.churned++;
    await pause(5);
  }
}

/** Every 2 s, 200 connections reset before the server accepts them. */
async function resetStorms(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  while (Date.now() < deadline) {
    const { success } = await new Deno.Command("python3", {
      args: [RESET_STORM, String(port), "200"],
    }).output();
    if (!success) throw new Error("the reset storm did not run");
    counts.resets += 200;
    await pause(2000);
  }
}

/**
 * Runs the hostile mix until `deadline`: reset storms, three silent hogs,
 * three trickling hogs, a `status` storm and churn.
 */
export async function runHostile(
  port: number,
  deadline: number,
  counts: HostileCounts,
): Promise<void> {
  const guard = (run: Promise<void>) =>
    run.catch((error) => {
      throw new Error(`hostile peer failed: ${error}`);
    });
  await Promise.all([
    guard(resetStorms(port, deadline, counts)),
    ...[1, 2, 3].map(() => guard(silentHog(port, deadline, counts))),
    ...[1, 2, 3].map(() => guard(tricklingHog(port, deadline, counts))),
    guard(statusStorm(port, deadline, counts)),
    guard(churn(port, deadline, counts)),
  ]);
}

/** The hostile part of the report. */
export function describeHostile(counts: HostileCounts): string {
  return `${counts.resets} resets before accept, ${counts.silentHogs} silent and ${counts.tricklingHogs} trickling hog connections, ${counts.statusStorms} bursts of 20 status, ${counts.churned} connect-and-close`;
}
