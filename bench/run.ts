/**
 * `deno task bench`: runs the same load against ackline, the plain Node.js
 * reference and (where a C compiler is present) the epoll reference, in one
 * run, and prints the figures with ackline's ratios to each.
 *
 * Usage: deno task bench [--seconds N] [--rounds R]
 *
 * Everything runs on loopback; each measurement is bounded in time.
 *
 * @module
 */

import {
  formatBytes,
  integerFlag,
  parseFlags,
  runProgram,
  writeAll,
} from "../lib/common/mod.ts";
import {
  LISTENING,
  programArgs,
  programCommand,
  programEnv,
  type RunningServer,
  spawnServer,
} from "../tests/support/programs.ts";
import { makeCertificates, NO_OPENSSL } from "../tests/support/certs.ts";
import { fillRandom } from "../tests/support/random.ts";
import { residentMemory } from "../tools/memory.ts";
import { closeAll, download, openAll, pingPong, pipelined } from "./load.ts";

const HERE = new URL(".", import.meta.url).pathname;
const DOWNLOAD_BYTES = 1 << 30;
// Servers log every connection: only the tail of the log is kept.
const LOG_KEPT = 1024;

interface Target {
  name: string;
  command: Deno.Command;
  portPattern: RegExp;
  serves: { files: boolean };
}

interface Running {
  target: Target;
  server: RunningServer;
  port: number;
}

async function start(target: Target): Promise<Running> {
  const server = await spawnServer(
    target.command,
    target.portPattern,
    LOG_KEPT,
  );
  return { target, server, port: server.port };
}

async function stop(running: Running): Promise<void> {
  await running.server.stop();
}

/** Whether `program --version` runs and succeeds here. */
async function canRun(program: string): Promise<boolean> {
  try {
    return (await new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

async function makeLargeFile(dir: string): Promise<void> {
  using file = await Deno.create(`${dir}/large.bin`);
  const block = fillRandom(new Uint8Array(1 << 20));
  for (let written = 0; written < DOWNLOAD_BYTES; written += block.length) {
    await writeAll(file, block);
  }
}

type Row = { label: string; unit: string; values: Map<string, number | null> };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function cell(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "–"; // not measured here
  }
  if (unit === "msg/s") return `${Math.round(value).toLocaleString("en-US")}`;
  if (unit === "ms") return value.toFixed(3);
  if (unit === "B/s") return `${formatBytes(value)}/s`;
  if (unit === "B") return formatBytes(value, { binary: true });
  return String(value);
}

function ratio(
  a: number | null | undefined,
  b: number | null | undefined,
  lowerIsBetter: boolean,
) {
  if (!a || !b) return "–";
  return `${(lowerIsBetter ? b / a : a / b).toFixed(2)}x`;
}

interface Options {
  seconds: number;
  rounds: number;
}

function parseOptions(args: string[]): Options | null {
  const flags = parseFlags(args, ["seconds", "rounds"]);
  if (flags.help) {
    console.log(
      "Usage: deno task bench [--seconds N] [--rounds R]\n" +
        "  N seconds per measurement (default 2), R rounds per figure (default 3)",
    );
    return null;
  }
  return {
    seconds: integerFlag("seconds", flags.values.seconds, {
      min: 1,
      max: 60,
      fallback: 2,
    }),
    rounds: integerFlag("rounds", flags.values.rounds, {
      min: 1,
      max: 20,
      fallback: 3,
    }),
  };
}

/** ackline, and the references this machine can run. */
async function findTargets(work: string): Promise<Target[]> {
  const filesDir = `${work}/files`;
  const targets: Target[] = [{
    name: "ackline",
    command: await programCommand("server", [
      "--port",
      "0",
      "--max-clients",
      "20000",
      "--idle-timeout",
      "0",
    ], { cwd: work, env: { NO_COLOR: "1" } }),
    portPattern: LISTENING,
    serves: { files: true },
  }];
  if (await canRun("node")) {
    targets.push({
      name: "Node",
      command: new Deno.Command("node", {
        args: [`${HERE}reference_node.mjs`, "0", filesDir],
        stdout: "piped",
        stderr: "piped",
      }),
      portPattern: /Listening on port (\d+)/,
      serves: { files: true },
    });
  } else {
    console.log("node not found: the Node.js reference is skipped");
  }
  const binary = `${work}/epoll_echo`;
  const built = await canRun("cc") && (await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${HERE}reference_epoll.c`],
  }).output()).success;
  if (built) {
    targets.push({
      name: "C epoll",
      command: new Deno.Command(binary, {
        args: ["0"],
        stdout: "piped",
        stderr: "piped",
      }),
      portPattern: /Listening on port (\d+)/,
      serves: { files: false },
    });
  } else {
    console.log("no C compiler: the epoll reference is skipped");
  }
  return targets;
}

/** The figures, a row per measure. */
class Table {
  readonly rows: Row[] = [];

  /** The row of `label`, new at the end of the table when not there yet. */
  row(label: string, unit: string): Row {
    const found = this.rows.find((row) => row.label === label);
    if (found) return found;
    const row: Row = { label, unit, values: new Map() };
    this.rows.push(row);
    return row;
  }

  /** Markdown, with ackline's ratio to each reference. */
  render(names: readonly string[]): string {
    const header = ["Measure", ...names, "ackline/Node", "ackline/C"];
    const lines = [
      `| ${header.join(" | ")} |`,
      `| ${header.map((_, i) => i === 0 ? "---" : "---:").join(" | ")} |`,
    ];
    for (const r of this.rows) {
      const lower = r.unit === "ms" || r.unit === "B";
      const ours = r.values.get("ackline");
      lines.push(`| ${
        [
          r.label,
          ...names.map((n) => cell(r.values.get(n), r.unit)),
          ratio(ours, r.values.get("Node"), lower),
          ratio(ours, r.values.get("C epoll"), lower),
        ].join(" | ")
      } |`);
    }
    return lines.join("\n");
  }
}

/**
 * Runs every measure on every server. All servers run at once and are
 * measured in turn, round after round, and each figure is the median of
 * its rounds: a shared machine drifts, and interleaving spreads the drift
 * over every server alike.
 */
async function measureLoads(
  running: readonly Running[],
  table: Table,
  { seconds, rounds }: Options,
): Promise<void> {
  const measure = async (
    row: Row,
    fn: (server: Running) => Promise<number>,
    only: (server: Running) => boolean = () => true,
  ) => {
    const samples = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const server of running.filter(only)) {
        const name = server.target.name;
        samples.set(name, [...samples.get(name) ?? [], await fn(server)]);
      }
    }
    for (const [name, values] of samples) row.values.set(name, median(values));
    console.log(`  ${row.label}: done`);
  };
  await measure(
    table.row("ping-pong, 1 connection", "msg/s"),
    async (s) => (await pingPong(s.port, 1, seconds)).perSecond,
  );
  const latencies = new Map<string, { p50: number[]; p99: number[] }>();
  await measure(table.row("ping-pong, 3 connections", "msg/s"), async (s) => {
    const result = await pingPong(s.port, 3, seconds);
    const seen = latencies.get(s.target.name) ?? { p50: [], p99: [] };
    seen.p50.push(result.p50Ms!);
    seen.p99.push(result.p99Ms!);
    latencies.set(s.target.name, seen);
    return result.perSecond;
  });
  const p50 = table.row("  p50 latency, 3 connections", "ms");
  const p99 = table.row("  p99 latency, 3 connections", "ms");
  for (const [name, seen] of latencies) {
    p50.values.set(name, median(seen.p50));
    p99.values.set(name, median(seen.p99));
  }
  await measure(
    table.row("ping-pong, 1,000 connections", "msg/s"),
    async (s) => (await pingPong(s.port, 1000, seconds)).perSecond,
  );
  await measure(
    table.row("pipelined, 3 connections x 64 in flight", "msg/s"),
    async (s) => (await pipelined(s.port, 3, 64, seconds)).perSecond,
  );
  await measure(
    table.row("pipelined, 1,000 connections x 8 in flight", "msg/s"),
    async (s) => (await pipelined(s.port, 1000, 8, seconds)).perSecond,
  );
  const serves = (s: Running) => s.target.serves.files;
  table.row(FIRST_DOWNLOAD, "B/s"); // measured on fresh servers, below
  await measure(
    table.row("download 1 GiB, again (SHA-256 known)", "B/s"),
    (s) => download(s.port, "large.bin"),
    serves,
  );
}

const FIRST_DOWNLOAD = "download 1 GiB, first (SHA-256 computed)";

/**
 * The first download of a file computes its SHA-256; later ones reuse it.
 * So each round starts every server afresh, in turn, for one download.
 */
async function measureFirstDownloads(
  targets: readonly Target[],
  table: Table,
  { rounds }: Options,
): Promise<void> {
  const samples = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const target of targets.filter((t) => t.serves.files)) {
      const server = await start(target);
      try {
        const rate = await download(server.port, "large.bin");
        samples.set(target.name, [...samples.get(target.name) ?? [], rate]);
      } finally {
        await stop(server);
      }
    }
  }
  const row = table.row(FIRST_DOWNLOAD, "B/s");
  for (const [name, values] of samples) row.values.set(name, median(values));
  console.log(`  ${row.label}: done`);
}

const TLS_DOWNLOAD = "download 1 GiB over TLS (SHA-256 known)";

/**
 * ackline's download over TLS (the references speak no TLS): a server
 * started with a test certificate made by `openssl`, the same file, the
 * digest known after the first download; medians of the rounds.
 */
async function measureTlsDownloads(
  work: string,
  table: Table,
  { rounds }: Options,
): Promise<void> {
  if (NO_OPENSSL !== null) {
    console.log(`  ${TLS_DOWNLOAD}: skipped, ${NO_OPENSSL}`);
    return;
  }
  const certs = await makeCertificates();
  await Deno.mkdir(`${work}/tls`);
  const cert = `${work}/tls/cert.pem`;
  const key = `${work}/tls/key.pem`;
  await Deno.writeTextFile(cert, certs.cert);
  await Deno.writeTextFile(key, certs.key);
  const env = programEnv({ cwd: work, env: { NO_COLOR: "1" } });
  // The task's permissions, and reading the certificate and key.
  const args = (await programArgs("server", [
    "--port",
    "0",
    "--tls-cert",
    cert,
    "--tls-key",
    key,
  ], env)).map((arg) =>
    arg.startsWith("--allow-read=") ? `${arg},${cert},${key}` : arg
  );
  const server = await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args,
      cwd: work,
      env,
      stdout: "piped",
      stderr: "piped",
    }),
    LISTENING,
    LOG_KEPT,
  );
  try {
    const tls = { caCerts: [certs.ca] };
    await download(server.port, "large.bin", tls); // the digest, once
    const rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      rates.push(await download(server.port, "large.bin", tls));
    }
    table.row(TLS_DOWNLOAD, "B/s").values.set("ackline", median(rates));
  } finally {
    await server.stop();
  }
  console.log(`  ${TLS_DOWNLOAD}: done`);
}

/**
 * Memory per idle connection, on a fresh process: one that has just run
 * the loads is still shrinking and growing its heaps.
 */
async function measureIdleMemory(target: Target, table: Table): Promise<void> {
  const server = await start(target);
  try {
    // Warm up: the first thousand connections also pay for code and heap
    // that every later one shares.
    closeAll(await openAll(server.port, 1000));
    await pingPong(server.port, 1, 0.2);
    const rss = async () =>
      await residentMemory(server.server.child.pid) ?? NaN;
    const base = await rss();
    const first = await openAll(server.port, 1000);
    await pingPong(server.port, 1, 0.2);
    const at1k = (await rss() - base) / 1000;
    const rest = await openAll(server.port, 9000);
    await pingPong(server.port, 1, 0.2);
    const at10k = (await rss() - base) / 10_000;
    closeAll([...first, ...rest]);
    table.rows.find((r) => r.label.endsWith("1,000"))!.values.set(
      target.name,
      at1k,
    );
    table.rows.find((r) => r.label.endsWith("10,000"))!.values.set(
      target.name,
      at10k,
    );
  } finally {
    await stop(server);
  }
}

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === null) return 0;
  const work = await Deno.makeTempDir({ prefix: "ackline-bench-" });
  await Deno.mkdir(`${work}/files`);
  await makeLargeFile(`${work}/files`);
  const targets = await findTargets(work);
  const table = new Table();
  const running: Running[] = [];
  try {
    for (const target of targets) running.push(await start(target));
    await measureLoads(running, table, options);
  } finally {
    for (const server of running.splice(0)) await stop(server);
  }
  await measureFirstDownloads(targets, table, options);
  await measureTlsDownloads(work, table, options);
  table.row("server memory per idle connection, 1,000", "B");
  table.row("server memory per idle connection, 10,000", "B");
  for (const target of targets) await measureIdleMemory(target, table);
  await Deno.remove(work, { recursive: true });
  console.log();
  console.log(table.render(targets.map((t) => t.name)));
  console.log(
    "\nRatios are ackline's advantage (higher is better for ackline, for memory and latency too).",
  );
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
