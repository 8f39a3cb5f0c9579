/**
 * The hostile side of the soak run: peers that try to lock out, bloat or
 * slow down the server while honest clients use it, and a TLS server's
 * half-open handshakes beside an honest TLS client. Each runs until the
 * deadline and counts what it did.
 *
 * @module
 */

import { connect } from "../client.ts";
import { writeAll } from "../lib/common/mod.ts";
import { ReplyReader } from "../lib/wire/mod.ts";

const encoder = new TextEncoder();
const RESET_STORM = new URL("../tests/fixtures/reset_storm.py", import.meta.url)
  .pathname;

/** What the hostile peers did, for the report. */
export interface HostileCounts {
  resets: number;
  silentHogs: number;
  cyclingHogs: number;
  tricklingHogs: number;
  oneRequestHogs: number;
  statusStorms: number;
  churned: number;
  halfOpenTls: number;
  /**
   * How long the server held each half-open handshake, in milliseconds:
   * until it closed it, or, for one still open at the end, until then.
   */
  halfOpenHeldMs: number[];
  /** Honest TLS sessions, and the milliseconds each took to be greeted. */
  tlsGreetings: number[];
  /** What went wrong for the honest TLS client. */
  tlsFailures: string[];
}

/** Fresh counts, all zero. */
export function hostileCounts(): HostileCounts {
  return {
    resets: 0,
    silentHogs: 0,
    cyclingHogs: 0,
    tricklingHogs: 0,
    oneRequestHogs: 0,
    statusStorms: 0,
    churned: 0,
    halfOpenTls: 0,
    halfOpenHeldMs: [],
    tlsGreetings: [],
    tlsFailures: [],
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
  // The peer may have closed it itself just before.
  const timer = setTimeout(
    () => closeQuietly(conn),
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
 * Connects and never sends a byte, but gives up after 0.1 to 1 s and
 * connects again: a hog that always has a fresh connection waiting.
 */
async function cyclingHog(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    counts.cyclingHogs++;
    const closed = untilClosed(conn, deadline);
    await Promise.race([pause(100 + Math.random() * 900), closed]);
    closeQuietly(conn);
    await closed;
  }
}

/**
 * Sends one `noop` as it connects, then nothing, reading whatever comes;
 * reconnects as soon as it is dropped.
 */
async function oneRequestHog(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  const noop = encoder.encode("noop\n");
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    counts.oneRequestHogs++;
    await writeAll(conn, noop).catch(() => {});
    await untilClosed(conn, deadline);
    closeQuietly(conn);
  }
}

/**
 * Begins a TLS handshake and never finishes it: a record header, then a
 * byte every 2 s; connects again once the server has closed it.
 */
async function halfOpenTls(
  port: number,
  deadline: number,
  counts: HostileCounts,
) {
  // A handshake record of 512 bytes is announced; a few come.
  const header = new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
  while (Date.now() < deadline) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = Date.now();
    counts.halfOpenTls++;
    const closed = untilClosed(conn, deadline);
    let open = true;
    closed.then(() => {
      open = false;
      counts.halfOpenHeldMs.push(Date.now() - started);
    });
    await writeAll(conn, header).catch(() => open = false);
    while (open && Date.now() < deadline) {
      await Promise.race([pause(2000), closed]);
      if (open) await writeAll(conn, new Uint8Array(1)).catch(() => {});
    }
    await closed;
    closeQuietly(conn);
  }
}

/** An honest TLS client: connects, asks `status`, leaves; over and over. */
async function honestTls(
  port: number,
  ca: string,
  deadline: number,
  counts: HostileCounts,
) {
  while (Date.now() < deadline) {
    const started = performance.now();
    try {
      const session = await connect({
        port,
        tls: { caCerts: [ca] },
        replyTimeoutMs: 30_000,
      });
      counts.tlsGreetings.push(performance.now() - started);
      try {
        await session.request("status");
      } finally {
        await session.close();
      }
    } catch (error) {
      counts.tlsFailures.push(`tls: ${error}`);
    }
    await pause(200);
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

/** Half-open TLS handshakes held at once against the TLS server. */
const HALF_OPEN_TLS = 200;

/**
 * Runs the hostile mix until `deadline`: reset storms, three silent hogs,
 * three that reconnect every 0.1 to 1 s, three trickling hogs, three that
 * make one request and sit, a `status` storm and churn; and against the
 * TLS server at `tls.port`, half-open handshakes beside an honest client.
 */
export async function runHostile(
  port: number,
  tls: { port: number; ca: string },
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
    ...[1, 2, 3].map(() => guard(cyclingHog(port, deadline, counts))),
    ...[1, 2, 3].map(() => guard(tricklingHog(port, deadline, counts))),
    ...[1, 2, 3].map(() => guard(oneRequestHog(port, deadline, counts))),
    ...Array.from(
      { length: HALF_OPEN_TLS },
      () => guard(halfOpenTls(tls.port, deadline, counts)),
    ),
    honestTls(tls.port, tls.ca, deadline, counts),
    guard(statusStorm(port, deadline, counts)),
    guard(churn(port, deadline, counts)),
  ]);
}

/** The hostile part of the report. */
export function describeHostile(counts: HostileCounts): string {
  return `${counts.resets} resets before accept, ${counts.silentHogs} silent, ${counts.cyclingHogs} cycling, ${counts.tricklingHogs} trickling and ${counts.oneRequestHogs} one-request hog connections, ${counts.statusStorms} bursts of 20 status, ${counts.churned} connect-and-close, ${counts.halfOpenTls} half-open TLS handshakes (${HALF_OPEN_TLS} at a time)`;
}

/**
 * Run by the soak as a program of its own, so that the hostile peers'
 * work does not slow the honest clients' process (on a network they run
 * on machines of their own): `PORT TLS_PORT CA_FILE DEADLINE_MS`, where
 * the deadline is a time since the epoch. Prints the counts as JSON.
 */
if (import.meta.main) {
  const [port, tlsPort, caFile, deadline] = Deno.args;
  const counts = hostileCounts();
  await runHostile(
    Number(port),
    { port: Number(tlsPort), ca: await Deno.readTextFile(caFile) },
    Number(deadline),
    counts,
  );
  console.log(JSON.stringify(counts));
}
