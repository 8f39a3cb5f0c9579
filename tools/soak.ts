/**
 * Soak test: one server, many clients doing a random mix of echo, status,
 * list, get and abrupt disconnects for a set time on loopback; then checks
 * that every reply was right, no slot leaked, and the server's memory at the
 * end is within half again of its steady level after warm-up. Prints the
 * figures; exits 1 on any failure.
 *
 * Usage: deno task soak [--duration SEC] [--clients N] [--seed N]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { format as formatBytes } from "@std/fmt/bytes";
import { connect, type Session } from "../client.ts";
import { integerFlag, parseFlags, runProgram } from "../lib/cli.ts";
import { parseReplyLine } from "../lib/protocol.ts";
import { fillRandom, seededRandom } from "../lib/random.ts";
import { residentMemory } from "./memory.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Counts {
  connections: number;
  echo: number;
  status: number;
  list: number;
  get: number;
  bytes: number;
  abrupt: number;
  failures: string[];
}

const WORDS = [
  "hello",
  "wörld",
  "日本語",
  "🎉",
  "ACK",
  "status",
  "250 x",
  "",
  " ",
];

async function makeFiles(dir: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const sizes: Record<string, number> = {
    "empty.bin": 0,
    "small.txt": 1000,
    "medium.bin": 1 << 20,
    "large.bin": 24 << 20,
  };
  for (const [name, size] of Object.entries(sizes)) {
    const bytes = fillRandom(new Uint8Array(size));
    await Deno.writeFile(`${dir}/${name}`, bytes);
    digests.set(name, createHash("sha256").update(bytes).digest("hex"));
  }
  return digests;
}

/** Connects raw, sends a partial request or starts a download, and drops. */
async function abruptDisconnect(port: number, next: () => number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const buf = new Uint8Array(4096);
    await conn.read(buf); // greeting (or 421 when full)
    if (next() < 0.5) {
      await conn.write(encoder.encode("a line cut short"));
    } else {
      await conn.write(encoder.encode("get large.bin\n"));
      await conn.read(buf);
    }
  } finally {
    conn.close();
  }
}

async function session(
  port: number,
  next: () => number,
  digests: Map<string, string>,
  downloads: string,
  counts: Counts,
): Promise<void> {
  let client: Session;
  try {
    client = await connect({ port, replyTimeoutMs: 30_000 });
  } catch (error) {
    counts.failures.push(`connect: ${error}`);
    return;
  }
  counts.connections++;
  const names = [...digests.keys()];
  try {
    const requests = 1 + Math.floor(next() * 20);
    for (let i = 0; i < requests; i++) {
      const pick = next();
      if (pick < 0.6) {
        // The leading word keeps a message from being a command itself.
        const message = [
          "m",
          ...Array.from(
            { length: Math.floor(next() * 6) },
            () => WORDS[Math.floor(next() * WORDS.length)],
          ),
        ].join(" ");
        const reply = await client.request(message);
        if (reply.code !== 250 || reply.lines[0] !== message + "ACK") {
          counts.failures.push(
            `echo ${JSON.stringify(message)}: ${JSON.stringify(reply)}`,
          );
        }
        counts.echo++;
      } else if (pick < 0.75) {
        const reply = await client.request("status");
        const summary = reply.lines.at(-1) ?? "";
        if (
          reply.code !== 211 ||
          !/^\d+ clients? since start, \d+ connected$/.test(summary)
        ) {
          counts.failures.push(`status: ${JSON.stringify(reply)}`);
        }
        counts.status++;
      } else if (pick < 0.85) {
        const reply = await client.request("list");
        if (reply.code !== 212 || reply.lines.length !== names.length + 1) {
          counts.failures.push(`list: ${JSON.stringify(reply)}`);
        }
        counts.list++;
      } else {
        const name = names[Math.floor(next() * names.length)];
        const result = await client.download(name, { dir: downloads });
        if (result.sha256 !== digests.get(name)) {
          counts.failures.push(`get ${name}: digest ${result.sha256}`);
        }
        await Deno.remove(result.path);
        counts.get++;
        counts.bytes += result.size;
      }
    }
    if (next() < 0.5) {
      const reply = await client.request("exit");
      if (reply.code !== 221) {
        counts.failures.push(`exit: ${JSON.stringify(reply)}`);
      }
    }
  } catch (error) {
    counts.failures.push(`session: ${error}`);
  } finally {
    await client.close();
  }
}

/** Reads one complete reply from a raw connection (for the final checks). */
async function rawRequest(conn: Deno.Conn, line: string | null) {
  if (line !== null) await conn.write(encoder.encode(line + "\n"));
  const buf = new Uint8Array(1 << 20);
  let text = "";
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return text;
    text += decoder.decode(buf.subarray(0, n));
    const lines = text.split("\n");
    const last = lines.at(-2);
    if (last !== undefined && parseReplyLine(last)?.last) return text;
  }
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["duration", "clients", "seed"]);
  if (flags.help) {
    console.log(
      "Usage: deno task soak [--duration SEC] [--clients N] [--seed N]",
    );
    return 0;
  }
  const seconds = integerFlag("duration", flags.values.duration, {
    min: 1,
    max: 3600,
    fallback: 60,
  });
  const workers = integerFlag("clients", flags.values.clients, {
    min: 1,
    max: 200,
    fallback: 16,
  });
  const seed = integerFlag("seed", flags.values.seed, {
    min: 0,
    max: 2 ** 31,
    fallback: Date.now() % 2 ** 31,
  });
  const maxClients = workers + 4;
  const filesDir = await Deno.makeTempDir({ prefix: "ackline-soak-files-" });
  const downloads = await Deno.makeTempDir({ prefix: "ackline-soak-dl-" });
  const digests = await makeFiles(filesDir);
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=${filesDir}`,
      new URL("../server.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--files",
      filesDir,
      "--max-clients",
      String(maxClients),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let log = "";
  let listening!: (port: number) => void;
  const portKnown = new Promise<number>((resolve) => listening = resolve);
  const logDone = (async () => {
    for await (
      const chunk of server.stdout.pipeThrough(new TextDecoderStream())
    ) {
      // Keep only the tail; the rest is drained so the server never blocks
      // on a full pipe.
      log = (log + chunk).slice(-4096);
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (match) listening(Number(match[1]));
    }
  })();
  const port = await portKnown;
  console.log(
    `soak: ${workers} clients for ${seconds} s against 127.0.0.1:${port}, seed ${seed}`,
  );

  const counts: Counts = {
    connections: 0,
    echo: 0,
    status: 0,
    list: 0,
    get: 0,
    bytes: 0,
    abrupt: 0,
    failures: [],
  };
  const rssStart = await residentMemory(server.pid);
  let rssPeak = rssStart ?? 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  // A fresh process has yet to grow its heaps and allocator pools, so the
  // steady level is read once a fifth of the run (at least 5 s) has passed.
  const warmUpMs = Math.max(5000, seconds * 200);
  let rssWarm: number | null = null;
  const timeline: string[] = [];
  const sampler = setInterval(async () => {
    const now = await residentMemory(server.pid);
    if (now === null) return;
    rssPeak = Math.max(rssPeak, now);
    const elapsed = Date.now() - started;
    if (rssWarm === null && elapsed >= warmUpMs) rssWarm = now;
    const second = Math.round(elapsed / 1000);
    if (
      second % 10 === 0 && !timeline.some((t) => t.startsWith(`${second}s `))
    ) {
      timeline.push(`${second}s ${formatBytes(now, { binary: true })}`);
    }
  }, 250);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const next = seededRandom(seed + w);
      while (Date.now() < deadline) {
        if (next() < 0.1) {
          await abruptDisconnect(port, next).catch(() => {});
          counts.abrupt++;
        } else {
          await session(port, next, digests, `${downloads}/${w}`, counts);
        }
      }
    }),
  );
  clearInterval(sampler);

  // Every slot must be free again: the server's own count says how many are
  // connected, and exactly maxClients can connect before one is turned away.
  const probes: Deno.Conn[] = [];
  let connectedNow = -1;
  let admitted = 0;
  let turnedAway = false;
  for (let attempt = 0; attempt < 100; attempt++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const greeting = await rawRequest(conn, null);
    if (greeting.startsWith("421")) {
      conn.close();
      await new Promise((resolve) => setTimeout(resolve, 100)); // late closes
      continue;
    }
    const status = await rawRequest(conn, "status");
    connectedNow = Number(/(\d+) connected\n$/.exec(status)?.[1] ?? -1);
    probes.push(conn);
    if (connectedNow === 1) break;
    for (const probe of probes.splice(0)) probe.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  while (probes.length < maxClients) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const greeting = await rawRequest(conn, null);
    probes.push(conn);
    if (greeting.startsWith("220")) admitted = probes.length;
    else break;
  }
  const extra = await Deno.connect({ hostname: "127.0.0.1", port });
  turnedAway = (await rawRequest(extra, null)).startsWith("421");
  extra.close();
  for (const probe of probes) probe.close();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let it settle
  const rssEnd = await residentMemory(server.pid);

  server.kill("SIGTERM");
  const { code: serverExit } = await server.status;
  await logDone;
  await Deno.remove(filesDir, { recursive: true });
  await Deno.remove(downloads, { recursive: true });

  const slotsOk = connectedNow === 1 && admitted === maxClients && turnedAway;
  // Near the starting level: within half again of the steady level, so
  // memory that grows with time (a leak) fails the run.
  const memoryOk = rssWarm === null || rssEnd === null ||
    rssEnd <= rssWarm * 1.5;
  const requests = counts.echo + counts.status + counts.list + counts.get;
  const rss = (n: number | null) =>
    n === null ? "n/a" : formatBytes(n, { binary: true });
  console.log(
    `connections   ${counts.connections} sessions + ${counts.abrupt} abrupt disconnects`,
  );
  console.log(
    `requests      ${requests} (echo ${counts.echo}, status ${counts.status}, list ${counts.list}, get ${counts.get})`,
  );
  console.log(
    `downloaded    ${formatBytes(counts.bytes)}, every SHA-256 verified`,
  );
  console.log(`wrong replies ${counts.failures.length}`);
  console.log(
    `slots         ${
      connectedNow === 1
        ? "none leaked"
        : `server counts ${connectedNow} connected, expected 1`
    }; ${admitted} of ${maxClients} admitted after the run, next ${
      turnedAway ? "turned away" : "NOT turned away"
    }`,
  );
  console.log(
    `server memory fresh ${rss(rssStart)}, steady (after ${
      warmUpMs / 1000
    } s) ${rss(rssWarm)}, peak ${rss(rssPeak)}, end ${rss(rssEnd)}${
      memoryOk ? "" : " (grew)"
    }`,
  );
  console.log(`  over time: ${timeline.join(", ")}`);
  console.log(`server exit   ${serverExit}`);
  for (const failure of counts.failures.slice(0, 10)) {
    console.log(`  ${failure}`);
  }
  const ok = counts.failures.length === 0 && slotsOk && memoryOk &&
    serverExit === 0;
  console.log(ok ? "soak: PASS" : "soak: FAIL");
  return ok ? 0 : 1;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
