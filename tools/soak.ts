/**
 * Soak test: one server, many clients doing a random mix of echo, status,
 * list, get and abrupt disconnects for a set time on loopback; then checks
 * that every reply was right, no slot leaked, and the server's memory at the
 * end is within half again of its steady level after warm-up. Prints the
 * figures; exits 1 on any failure.
 *
 * With `--hostile`, hostile peers run beside the honest clients, in a
 * process of their own as they would be on other machines (reset
 * storms, silent, cycling, trickling and one-request hogs, `status` storms,
 * churn; see `soak_hostile.ts`), and a second server speaking TLS takes
 * half-open handshakes beside an honest TLS client; the run then also
 * fails when an honest client waited 3 s or more for its greeting, or the
 * TLS server held a half-open handshake half again as long as its
 * deadline.
 *
 * Usage: deno task soak [--duration SEC] [--clients N] [--seed N] [--hostile]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { connect, type Session } from "../client.ts";
import {
  formatBytes,
  integerFlag,
  parseFlags,
  runProgram,
  writeAll,
} from "../lib/common/mod.ts";
import { parseStatusSummary } from "../lib/server/mod.ts";
import { TIMINGS } from "../lib/server/config.ts";
import { Code, COMMANDS, type Reply, ReplyReader } from "../lib/wire/mod.ts";
import { makeCertificates } from "./certs.ts";
import { type RunningServer, startServerProgram } from "./programs.ts";
import { fillRandom, seededRandom } from "./random.ts";
import { residentMemory } from "./memory.ts";
import {
  describeHostile,
  type HostileCounts,
  hostileCounts,
} from "./soak_hostile.ts";

const encoder = new TextEncoder();

interface Counts {
  connections: number;
  echo: number;
  status: number;
  list: number;
  get: number;
  bytes: number;
  abrupt: number;
  failures: string[];
  /** Milliseconds from connecting to being greeted, per honest session. */
  greetings: number[];
  /** Milliseconds from request to reply, for echo, status and list. */
  replies: number[];
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

async function timed(counts: Counts, reply: Promise<Reply>): Promise<Reply> {
  const started = performance.now();
  const result = await reply;
  counts.replies.push(performance.now() - started);
  return result;
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
    const started = performance.now();
    client = await connect({ port, replyTimeoutMs: 30_000 });
    counts.greetings.push(performance.now() - started);
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
        const reply = await timed(counts, client.request(message));
        if (reply.code !== Code.Echo || reply.lines[0] !== message + "ACK") {
          counts.failures.push(
            `echo ${JSON.stringify(message)}: ${JSON.stringify(reply)}`,
          );
        }
        counts.echo++;
      } else if (pick < 0.75) {
        const reply = await timed(counts, client.request("status"));
        if (
          reply.code !== COMMANDS.status.code ||
          parseStatusSummary(reply.lines.at(-1) ?? "") === null
        ) {
          counts.failures.push(`status: ${JSON.stringify(reply)}`);
        }
        counts.status++;
      } else if (pick < 0.85) {
        const reply = await timed(counts, client.request("list"));
        if (
          reply.code !== COMMANDS.list.code ||
          reply.lines.length !== names.length + 1
        ) {
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
      if (reply.code !== COMMANDS.exit.code) {
        counts.failures.push(`exit: ${JSON.stringify(reply)}`);
      }
    }
  } catch (error) {
    counts.failures.push(`session: ${error}`);
  } finally {
    await client.close();
  }
}

/** A raw connection for the final checks, with the protocol's reader. */
class Probe {
  readonly #conn: Deno.TcpConn;
  readonly #replies: ReplyReader;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#replies = new ReplyReader(conn);
  }

  /** Connects; resolves with the probe and the server's first reply. */
  static async open(port: number): Promise<{ probe: Probe; first: Reply }> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const probe = new Probe(conn);
    return { probe, first: await probe.#reply() };
  }

  async request(line: string): Promise<Reply> {
    await writeAll(this.#conn, encoder.encode(line + "\n"));
    return await this.#reply();
  }

  close(): void {
    this.#conn.close();
  }

  async #reply(): Promise<Reply> {
    const reply = await this.#replies.read();
    if (reply === null) throw new Error("Server closed the connection");
    return reply;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks that every slot is free again: the server's own count says one
 * client (the probe asking) is connected, exactly `maxClients` can then
 * connect, and the next one is turned away.
 */
async function checkSlots(port: number, maxClients: number): Promise<string> {
  let connected = -1;
  const probes: Probe[] = [];
  try {
    for (let attempt = 0; attempt < 100 && connected !== 1; attempt++) {
      for (const probe of probes.splice(0)) probe.close();
      const { probe, first } = await Probe.open(port);
      probes.push(probe);
      if (first.code !== Code.Greeting) {
        await pause(100); // a late close still holds a slot
        continue;
      }
      const status = await probe.request("status");
      connected = parseStatusSummary(status.lines.at(-1) ?? "")?.connected ??
        -1;
      if (connected !== 1) await pause(100);
    }
    if (connected !== 1) {
      return `server counts ${connected} connected, expected 1`;
    }
    while (probes.length < maxClients) {
      const { probe, first } = await Probe.open(port);
      probes.push(probe);
      if (first.code !== Code.Greeting) {
        return `only ${probes.length - 1} of ${maxClients} admitted`;
      }
    }
    const { probe: extra, first } = await Probe.open(port);
    extra.close();
    if (first.code !== Code.Closing) return "one past the limit was admitted";
    return "";
  } finally {
    for (const probe of probes) probe.close();
  }
}

interface Options {
  seconds: number;
  workers: number;
  seed: number;
  hostile: boolean;
}

function parseOptions(args: string[]): Options | null {
  // The one switch of this tool; the rest are flags with values.
  const hostile = args.includes("--hostile");
  const flags = parseFlags(args.filter((arg) => arg !== "--hostile"), [
    "duration",
    "clients",
    "seed",
  ]);
  if (flags.help) {
    console.log(
      "Usage: deno task soak [--duration SEC] [--clients N] [--seed N] [--hostile]",
    );
    return null;
  }
  return {
    seconds: integerFlag("duration", flags.values.duration, {
      min: 1,
      max: 3600,
      fallback: 60,
    }),
    workers: integerFlag("clients", flags.values.clients, {
      min: 1,
      max: 200,
      fallback: 16,
    }),
    seed: integerFlag("seed", flags.values.seed, {
      min: 0,
      max: 2 ** 31,
      fallback: Date.now() % 2 ** 31,
    }),
    hostile,
  };
}

/** Samples a process's memory: start, steady level after warm-up, peak. */
class MemoryWatch {
  start: number | null = null;
  warm: number | null = null;
  peak = 0;
  end: number | null = null;
  readonly timeline: string[] = [];
  readonly warmUpMs: number;
  readonly #pid: number;
  readonly #started = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(pid: number, seconds: number) {
    this.#pid = pid;
    // A fresh process has yet to grow its heaps and allocator pools, so the
    // steady level is read once a fifth of the run (at least 5 s) has passed.
    this.warmUpMs = Math.max(5000, seconds * 200);
  }

  async begin(): Promise<void> {
    this.start = await residentMemory(this.#pid);
    this.peak = this.start ?? 0;
    this.#timer = setInterval(() => this.#sample(), 250);
  }

  async finish(): Promise<void> {
    clearInterval(this.#timer);
    this.end = await residentMemory(this.#pid);
  }

  async #sample(): Promise<void> {
    const now = await residentMemory(this.#pid);
    if (now === null) return;
    this.peak = Math.max(this.peak, now);
    const elapsed = Date.now() - this.#started;
    if (this.warm === null && elapsed >= this.warmUpMs) this.warm = now;
    const second = Math.round(elapsed / 1000);
    const label = `${second}s `;
    if (second % 10 === 0 && !this.timeline.some((t) => t.startsWith(label))) {
      this.timeline.push(label + formatBytes(now));
    }
  }
}

/** Median, 99th percentile and worst of `ms`, for the report. */
function spread(ms: number[]): string {
  if (ms.length === 0) return "n/a";
  const sorted = ms.toSorted((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
      .toFixed(1);
  return `median ${at(0.5)} ms, p99 ${at(0.99)} ms, worst ${
    sorted.at(-1)!.toFixed(1)
  } ms`;
}

function report(
  counts: Counts,
  memory: MemoryWatch,
  slots: string,
  maxClients: number,
  serverExit: number,
): boolean {
  // Near the starting level: within half again of the steady level, so
  // memory that grows with time (a leak) fails the run.
  const memoryOk = memory.warm === null || memory.end === null ||
    memory.end <= memory.warm * 1.5;
  const requests = counts.echo + counts.status + counts.list + counts.get;
  const rss = (n: number | null) => n === null ? "n/a" : formatBytes(n);
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
  console.log(`greeting      ${spread(counts.greetings)}`);
  console.log(`reply         ${spread(counts.replies)} (echo, status, list)`);
  console.log(
    `slots         ${
      slots ||
      `none leaked; ${maxClients} of ${maxClients} admitted after the run, next turned away`
    }`,
  );
  console.log(
    `server memory fresh ${rss(memory.start)}, steady (after ${
      memory.warmUpMs / 1000
    } s) ${rss(memory.warm)}, peak ${rss(memory.peak)}, end ${rss(memory.end)}${
      memoryOk ? "" : " (grew)"
    }`,
  );
  console.log(`  over time: ${memory.timeline.join(", ")}`);
  console.log(`server exit   ${serverExit}`);
  for (const failure of counts.failures.slice(0, 10)) {
    console.log(`  ${failure}`);
  }
  return counts.failures.length === 0 && slots === "" && memoryOk &&
    serverExit === 0;
}

const HOSTILE = new URL("./soak_hostile.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/**
 * Runs the hostile peers until `deadline` in a process of their own (see
 * `soak_hostile.ts`), and adds what they did to `counts`.
 */
async function runHostileApart(
  port: number,
  tls: { port: number; ca: string },
  deadline: number,
  work: string,
  counts: HostileCounts,
): Promise<void> {
  const caFile = `${work}/tls-ca.pem`;
  await Deno.writeTextFile(caFile, tls.ca);
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-run",
      HOSTILE,
      String(port),
      String(tls.port),
      caFile,
      String(deadline),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(`The hostile peers failed: ${decoder.decode(stderr)}`);
  }
  Object.assign(counts, JSON.parse(decoder.decode(stdout)));
}

/** The longest an honest client may wait for its greeting in a hostile run. */
const WORST_GREETING_MS = 3000;

/**
 * The longest the TLS server may hold a handshake that never ends: its
 * deadline, and half of it again for the server to get round to it.
 */
const HALF_OPEN_HELD_MS = TIMINGS.handshakeMs * 1.5;

/** Starts the TLS server of a hostile run, with a fresh authority. */
async function startTlsServer(
  work: string,
  maxClients: number,
): Promise<{ server: RunningServer; port: number; ca: string }> {
  const certificates = await makeCertificates();
  await Deno.writeTextFile(`${work}/tls-cert.pem`, certificates.cert);
  await Deno.writeTextFile(`${work}/tls-key.pem`, certificates.key);
  const server = await startServerProgram({
    cwd: work,
    args: [
      "--max-clients",
      String(maxClients),
      "--tls-cert",
      "tls-cert.pem",
      "--tls-key",
      "tls-key.pem",
    ],
    read: ["tls-cert.pem", "tls-key.pem"],
    keep: 4096,
  });
  return { server, port: server.port, ca: certificates.ca };
}

/** The hostile part of the report; whether it passes. */
function reportHostile(
  counts: Counts,
  hostile: HostileCounts,
  tlsExit: number,
): boolean {
  const worst = Math.max(...counts.greetings, ...hostile.tlsGreetings);
  console.log(`hostile       ${describeHostile(hostile)}`);
  console.log(
    `tls           ${hostile.tlsGreetings.length} honest sessions, greeting ${
      spread(hostile.tlsGreetings)
    }, ${hostile.tlsFailures.length} failed; server exit ${tlsExit}`,
  );
  for (const failure of hostile.tlsFailures.slice(0, 10)) {
    console.log(`  ${failure}`);
  }
  console.log(
    `half-open     held by the server ${
      spread(hostile.halfOpenHeldMs)
    } (limit ${HALF_OPEN_HELD_MS} ms)`,
  );
  const held = Math.max(...hostile.halfOpenHeldMs);
  const slow = worst >= WORST_GREETING_MS;
  if (slow) {
    console.log(
      `  an honest client waited ${
        worst.toFixed(0)
      } ms for its greeting (limit ${WORST_GREETING_MS} ms)`,
    );
  }
  return !slow && held < HALF_OPEN_HELD_MS &&
    hostile.tlsFailures.length === 0 &&
    hostile.tlsGreetings.length > 0 && tlsExit === 0;
}

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === null) return 0;
  const { seconds, workers, seed } = options;
  // Room beside the honest clients for the abrupt ones and, in a hostile
  // run, for the hogs that have spoken (one-request hogs, the status storm),
  // which keep their slots while they are not idle for long.
  const maxClients = workers + (options.hostile ? 8 : 4);
  const work = await Deno.makeTempDir({ prefix: "ackline-soak-" });
  await Deno.mkdir(`${work}/files`);
  const digests = await makeFiles(`${work}/files`);
  const server = await startServerProgram({
    cwd: work,
    args: ["--max-clients", String(maxClients)],
    keep: 4096, // the log is drained so the server never blocks on it
  });
  const port = server.port;
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
    greetings: [],
    replies: [],
  };
  const hostile = hostileCounts();
  const tls = options.hostile ? await startTlsServer(work, maxClients) : null;
  const memory = new MemoryWatch(server.child.pid, seconds);
  await memory.begin();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all([
    tls === null ? null : runHostileApart(port, tls, deadline, work, hostile),
    ...Array.from({ length: workers }, async (_, w) => {
      const next = seededRandom(seed + w);
      while (Date.now() < deadline) {
        if (next() < 0.1) {
          await abruptDisconnect(port, next).catch(() => {});
          counts.abrupt++;
        } else {
          await session(port, next, digests, `${work}/downloads/${w}`, counts);
        }
      }
    }),
  ]);
  const slots = await checkSlots(port, maxClients);
  await pause(1000); // let it settle
  await memory.finish();
  const serverExit = await server.stop();
  const tlsExit = await tls?.server.stop() ?? 0;
  await Deno.remove(work, { recursive: true });
  let ok = report(counts, memory, slots, maxClients, serverExit);
  if (options.hostile) ok = reportHostile(counts, hostile, tlsExit) && ok;
  console.log(ok ? "soak: PASS" : "soak: FAIL");
  return ok ? 0 : 1;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
