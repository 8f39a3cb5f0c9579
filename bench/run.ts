/**
 * `deno task bench`: runs the same loads against ackline, the Node.js
 * reference (coalesced writes, the same work per line; the naive one that
 * writes once per line shows in extra rows) and, where a C compiler is
 * present, the epoll reference, in one run, and prints the figures with
 * ackline's ratios to each.
 *
 * Closed-loop rows (ping-pong, pipelined) give rates; the fixed-load rows
 * offer the same lines a second to every server with `open_loop.c` and
 * give the server's CPU per line (every thread, from the kernel's
 * scheduler statistics) and latency from each line's scheduled send.
 * Memory rows read the server's resident memory from the kernel.
 *
 * Usage: deno task bench [--seconds N] [--rounds R] [--baseline DIR]
 *
 * `--baseline DIR` adds a column "before": the server of another checkout
 * of ackline (an earlier version, say), run as its own task would run it,
 * measured in the same rounds.
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
  cannotRun,
  LISTENING,
  programCommand,
  programEnv,
  type RunningServer,
  spawnServer,
} from "../tools/programs.ts";
import { makeCertificates, NO_OPENSSL } from "../tools/certs.ts";
import { fillRandom } from "../tools/random.ts";
import { residentMemory } from "../tools/memory.ts";
import { readTasks, runFlags } from "../tools/tasks.ts";
import {
  closeAll,
  download,
  median,
  openAll,
  pingPong,
  pipelined,
} from "./load.ts";
import { nodeReference, REFERENCE_LISTENING } from "./references.ts";

const HERE = new URL(".", import.meta.url).pathname;
const DOWNLOAD_BYTES = 1 << 30;
// The download after which a server's memory should settle back.
const SETTLE_DOWNLOAD_BYTES = 100_000_000;
const SETTLE_MS = 10_000;
// The fixed load: offered whatever the replies do, the same for every server.
const FIXED_RATE = 100_000;
const FIXED_CONNECTIONS = 3;
// Servers log every connection: only the tail of the log is kept.
const LOG_KEPT = 1024;

interface Target {
  name: string;
  command: Deno.Command;
  portPattern: RegExp;
  serves: { files: boolean };
  /** Measured only for the rows that name it, in the column of `name`. */
  extra?: { column: string };
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
  return await cannotRun(program, ["--version"]) === null;
}

async function makeFile(path: string, size: number): Promise<void> {
  using file = await Deno.create(path);
  const block = fillRandom(new Uint8Array(1 << 20));
  for (let written = 0; written < size; written += block.length) {
    await writeAll(
      file,
      block.subarray(0, Math.min(block.length, size - written)),
    );
  }
}

/**
 * CPU time the process `pid` has used, every thread, in nanoseconds: the
 * first field of each thread's `schedstat`, read by `cat` (Deno reads
 * another process's `/proc` entries only with every permission). `null`
 * where there are none.
 */
async function cpuNs(pid: number): Promise<number | null> {
  const { stdout, success } = await new Deno.Command("sh", {
    args: ["-c", 'cat /proc/"$1"/task/*/schedstat', "sh", String(pid)],
    stderr: "null",
  }).output();
  if (!success) return null;
  let total = 0;
  for (const line of new TextDecoder().decode(stdout).trim().split("\n")) {
    total += Number(line.split(" ")[0]);
  }
  return Number.isFinite(total) && total > 0 ? total : null;
}

/** SHA-256 on one core of this machine, the bound of a first download. */
async function sha256Rate(): Promise<number> {
  const { createHash } = await import("node:crypto");
  const chunk = fillRandom(new Uint8Array(1 << 20));
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) {
    const hash = createHash("sha256");
    const started = performance.now();
    for (let i = 0; i < 256; i++) hash.update(chunk);
    hash.digest("hex");
    rates.push((256 << 20) / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

type Row = { label: string; unit: string; values: Map<string, number | null> };

function cell(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "–"; // not measured here
  }
  if (unit === "msg/s") return `${Math.round(value).toLocaleString("en-US")}`;
  if (unit === "ms") return value.toFixed(3);
  if (unit === "µs") return value.toFixed(2);
  if (unit === "ns") return Math.round(value).toLocaleString("en-US");
  if (unit === "B/s") return `${formatBytes(value)}/s`;
  if (unit === "B") return formatBytes(value);
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
  /** A checkout of ackline whose server is measured beside this one. */
  baseline: string | undefined;
}

function parseOptions(args: string[]): Options | null {
  const flags = parseFlags(args, ["seconds", "rounds", "baseline"]);
  if (flags.help) {
    console.log(
      "Usage: deno task bench [--seconds N] [--rounds R] [--baseline DIR]\n" +
        "  N seconds per measurement (default 2), R rounds per figure (default 3)\n" +
        '  DIR: another checkout of ackline, measured beside this one as "before"',
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
    baseline: flags.values.baseline,
  };
}

/**
 * The arguments the server is measured with, whichever version it is: its
 * defaults (the idle timeout too: no measure keeps a client idle that
 * long), but room for every connection the loads open.
 */
const SERVER_ARGS = ["--port", "0", "--max-clients", "20000"];

/**
 * The server of the checkout in `root`, run from `work` with the
 * permissions its own task gives it.
 */
async function baselineCommand(
  root: string,
  work: string,
): Promise<Deno.Command> {
  const config = `${root}/deno.json`;
  const env = programEnv({ cwd: work, env: { NO_COLOR: "1" } });
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      config,
      ...runFlags((await readTasks(config)).server, env),
      `${root}/server.ts`,
      ...SERVER_ARGS,
    ],
    cwd: work,
    env,
    stdout: "piped",
    stderr: "piped",
  });
}

/** The servers to measure, and the open-loop load where it could be built. */
interface Setup {
  targets: Target[];
  /** The `open_loop` program, or `null` without a C compiler. */
  openLoop: string | null;
}

/** Builds `source` (in this folder) into `binary` with `cc -O2`. */
async function buildC(source: string, binary: string): Promise<boolean> {
  return (await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${HERE}${source}`],
  }).output()).success;
}

/** ackline, and the references this machine can run. */
async function findTargets(
  work: string,
  baseline: string | undefined,
): Promise<Setup> {
  const filesDir = `${work}/files`;
  const targets: Target[] = [{
    name: "ackline",
    command: await programCommand("server", SERVER_ARGS, {
      cwd: work,
      env: { NO_COLOR: "1" },
    }),
    portPattern: LISTENING,
    serves: { files: true },
  }];
  if (baseline !== undefined) {
    targets.push({
      name: "before",
      command: await baselineCommand(baseline, work),
      portPattern: LISTENING,
      serves: { files: true },
    });
  }
  if (await canRun("node")) {
    targets.push({
      name: "Node",
      command: nodeReference("reference_node.mjs", filesDir),
      portPattern: REFERENCE_LISTENING,
      serves: { files: true },
    }, {
      name: "Node, one write per line",
      command: nodeReference("reference_node_naive.mjs", filesDir),
      portPattern: REFERENCE_LISTENING,
      serves: { files: true },
      extra: { column: "Node" },
    });
  } else {
    console.log("node not found: the Node.js references are skipped");
  }
  targets.push({
    name: "bare Deno",
    command: new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net=127.0.0.1", `${HERE}reference_deno_bare.ts`],
      stdout: "piped",
      stderr: "piped",
    }),
    portPattern: /Listening on port (\d+)/,
    serves: { files: false },
  });
  const compiler = await canRun("cc");
  const binary = `${work}/epoll_echo`;
  if (compiler && await buildC("reference_epoll.c", binary)) {
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
  const openLoop = `${work}/open_loop`;
  if (!compiler || !await buildC("open_loop.c", openLoop)) {
    console.log("no C compiler: the fixed-load rows are skipped");
    return { targets, openLoop: null };
  }
  return { targets, openLoop };
}

/** What the open-loop load saw: replies, and latency from scheduled send. */
interface FixedLoadResult {
  received: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Offers {@linkcode FIXED_RATE} lines a second over
 * {@linkcode FIXED_CONNECTIONS} connections for `seconds`, with `open_loop`.
 */
async function fixedLoad(
  openLoop: string,
  port: number,
  seconds: number,
): Promise<FixedLoadResult> {
  const { stdout, stderr, success } = await new Deno.Command(openLoop, {
    args: [port, FIXED_CONNECTIONS, FIXED_RATE, seconds].map(String),
  }).output();
  if (!success) {
    throw new Error(`open_loop failed: ${new TextDecoder().decode(stderr)}`);
  }
  const [, received, p50Us, p99Us] = new TextDecoder().decode(stdout).trim()
    .split(" ").map(Number);
  return { received, p50Ms: p50Us / 1000, p99Ms: p99Us / 1000 };
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
    const header = [
      "Measure",
      ...names,
      "ackline/Node",
      "ackline/C",
      "ackline/bare Deno",
    ];
    const lines = [
      `| ${header.join(" | ")} |`,
      `| ${header.map((_, i) => i === 0 ? "---" : "---:").join(" | ")} |`,
    ];
    for (const r of this.rows) {
      const lower = ["ms", "µs", "ns", "B"].includes(r.unit);
      const ours = r.values.get("ackline");
      lines.push(`| ${
        [
          // Byte figures carry their unit in each cell.
          r.unit.startsWith("B") ? r.label : `${r.label} (${r.unit})`,
          ...names.map((n) => cell(r.values.get(n), r.unit)),
          ratio(ours, r.values.get("Node"), lower),
          ratio(ours, r.values.get("C epoll"), lower),
          ratio(ours, r.values.get("bare Deno"), lower),
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
  openLoop: string | null,
  { seconds, rounds }: Options,
): Promise<void> {
  const main = (s: Running) => s.target.extra === undefined;
  // Each sample goes to the column of its target (an extra one's is named).
  const measure = async (
    row: Row,
    fn: (server: Running) => Promise<number>,
    only: (server: Running) => boolean = main,
  ) => {
    const samples = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const server of running.filter(only)) {
        const column = server.target.extra?.column ?? server.target.name;
        samples.set(column, [...samples.get(column) ?? [], await fn(server)]);
      }
    }
    for (const [name, values] of samples) row.values.set(name, median(values));
    console.log(`  ${row.label}: done`);
  };
  // The median of figures gathered beside another row's samples.
  const gathered = new Map<Row, Map<string, number[]>>();
  const gather = (row: Row, server: Running, value: number | null) => {
    if (value === null) return;
    const byName = gathered.get(row) ?? new Map<string, number[]>();
    const name = server.target.name;
    byName.set(name, [...byName.get(name) ?? [], value]);
    gathered.set(row, byName);
  };
  const settleGathered = () => {
    for (const [row, byName] of gathered) {
      for (const [name, values] of byName) row.values.set(name, median(values));
    }
    gathered.clear();
  };
  // CPU the server spent over `fn`, per reply: every thread counted.
  const perLine = async (
    server: Running,
    fn: () => Promise<number>,
  ): Promise<{ lines: number; cpuNsPerLine: number | null }> => {
    const pid = server.server.child.pid;
    const before = await cpuNs(pid);
    const lines = await fn();
    const after = await cpuNs(pid);
    return {
      lines,
      cpuNsPerLine: before === null || after === null || lines === 0
        ? null
        : (after - before) / lines,
    };
  };

  await measure(
    table.row("ping-pong, 1 connection", "msg/s"),
    async (s) => (await pingPong(s.port, 1, seconds)).perSecond,
  );
  const threeConnections = table.row("ping-pong, 3 connections", "msg/s");
  const p50 = table.row("  p50 latency, 3 connections", "ms");
  const p99 = table.row("  p99 latency, 3 connections", "ms");
  await measure(threeConnections, async (s) => {
    const result = await pingPong(s.port, 3, seconds);
    gather(p50, s, result.p50Ms);
    gather(p99, s, result.p99Ms);
    return result.perSecond;
  });
  settleGathered();
  await measure(
    table.row("ping-pong, 1,000 connections", "msg/s"),
    async (s) => (await pingPong(s.port, 1000, seconds)).perSecond,
  );
  const pipelinedRow = table.row(
    "pipelined, 3 connections x 64 in flight",
    "msg/s",
  );
  const saturatedCpu = table.row(
    "  server CPU per line, pipelined 3 x 64",
    "ns",
  );
  await measure(pipelinedRow, async (s) => {
    let rate = 0;
    const { cpuNsPerLine } = await perLine(s, async () => {
      const result = await pipelined(s.port, 3, 64, seconds);
      rate = result.perSecond;
      return result.messages;
    });
    gather(saturatedCpu, s, cpuNsPerLine);
    return rate;
  });
  settleGathered();
  await measure(
    table.row(
      "  pipelined 3 x 64, Node writing once per line (naive)",
      "msg/s",
    ),
    async (s) => (await pipelined(s.port, 3, 64, seconds)).perSecond,
    (s) => !main(s),
  );
  await measure(
    table.row("pipelined, 1,000 connections x 8 in flight", "msg/s"),
    async (s) => (await pipelined(s.port, 1000, 8, seconds)).perSecond,
  );
  if (openLoop !== null) {
    const label = `server CPU per line, ${
      FIXED_RATE.toLocaleString("en-US")
    } lines/s over ${FIXED_CONNECTIONS} connections`;
    const fixedCpu = table.row(label, "µs");
    const fixedP50 = table.row(
      "  p50 latency at that load, from scheduled send",
      "ms",
    );
    const fixedP99 = table.row(
      "  p99 latency at that load, from scheduled send",
      "ms",
    );
    await measure(fixedCpu, async (s) => {
      let result: FixedLoadResult | undefined;
      const { cpuNsPerLine } = await perLine(s, async () => {
        result = await fixedLoad(openLoop, s.port, seconds);
        return result.received;
      });
      gather(fixedP50, s, result!.p50Ms);
      gather(fixedP99, s, result!.p99Ms);
      return cpuNsPerLine === null ? NaN : cpuNsPerLine / 1000;
    });
    settleGathered();
  }
  const serves = (s: Running) => main(s) && s.target.serves.files;
  table.row(FIRST_DOWNLOAD, "B/s"); // measured on fresh servers, below
  await measure(
    table.row("download 1 GiB, again (SHA-256 known)", "B/s"),
    (s) => download(s.port, "large.bin"),
    serves,
  );
  await measure(
    table.row("  download 1 GiB, Node's default pipe (naive)", "B/s"),
    (s) => download(s.port, "large.bin"),
    (s) => !main(s),
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
    for (const target of targets.filter((t) => t.serves.files && !t.extra)) {
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
  const server = await spawnServer(
    await programCommand("server", [
      "--port",
      "0",
      "--tls-cert",
      cert,
      "--tls-key",
      key,
    ], { cwd: work, env: { NO_COLOR: "1" }, read: [cert, key] }),
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

const CLIENT_DOWNLOAD =
  "download 1 GiB, again, by the client program (start to saved and verified)";

/**
 * What a user sees: the real client program, as its task runs it, taking
 * the file from ackline's server into its downloads folder, timed from
 * its start to its exit; the digest known after a first download.
 */
async function measureClientDownloads(
  targets: readonly Target[],
  work: string,
  table: Table,
  { rounds }: Options,
): Promise<void> {
  const target = targets.find((t) => t.name === "ackline");
  if (target === undefined) return;
  const server = await start(target);
  try {
    await download(server.port, "large.bin"); // the digest, once
    const rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const command = await programCommand("client", [
        "--port",
        String(server.port),
        "get",
        "large.bin",
      ], { cwd: work, env: { NO_COLOR: "1" } });
      const started = performance.now();
      const { success } = await command.output();
      const seconds = (performance.now() - started) / 1000;
      await Deno.remove(`${work}/downloads`, { recursive: true });
      if (!success) throw new Error("The client program failed a download");
      rates.push(DOWNLOAD_BYTES / seconds);
    }
    table.row(CLIENT_DOWNLOAD, "B/s").values.set("ackline", median(rates));
  } finally {
    await stop(server);
  }
  console.log(`  ${CLIENT_DOWNLOAD}: done`);
}

const IDLE_RSS = "server memory (RSS), idle";
const SETTLE_SECONDS = SETTLE_MS / 1000;
const SETTLED_RSS = `server memory ${SETTLE_SECONDS} s after a 100 MB download`;

/**
 * A fresh server's resident memory once it has served one connection, and
 * {@linkcode SETTLE_MS} after a 100 MB download ends: what it gives back.
 */
async function measureSettling(target: Target, table: Table): Promise<void> {
  const server = await start(target);
  try {
    const pid = server.server.child.pid;
    closeAll(await openAll(server.port, 1));
    await pingPong(server.port, 1, 0.2);
    table.row(IDLE_RSS, "B").values.set(
      target.name,
      await residentMemory(pid) ?? NaN,
    );
    if (!target.serves.files) return;
    await download(server.port, "settle.bin");
    const ended = performance.now();
    await new Promise((resolve) =>
      setTimeout(resolve, SETTLE_MS - (performance.now() - ended))
    );
    table.row(SETTLED_RSS, "B").values.set(
      target.name,
      await residentMemory(pid) ?? NaN,
    );
  } finally {
    await stop(server);
  }
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

const CHURN_CYCLES = 30_000;
const CHURN = `server memory growth over ${
  CHURN_CYCLES.toLocaleString("en-US")
} connect/close cycles`;

/**
 * How much a server's resident memory grows while clients connect, are
 * greeted and leave, {@linkcode CHURN_CYCLES} times, a hundred at once:
 * the garbage and fragments each connection leaves behind.
 */
async function measureChurn(target: Target, table: Table): Promise<void> {
  const server = await start(target);
  try {
    const rss = async () =>
      await residentMemory(server.server.child.pid) ?? NaN;
    // Warm up: code and heap that every later connection shares.
    closeAll(await openAll(server.port, 1000));
    await pingPong(server.port, 1, 0.2);
    const base = await rss();
    for (let done = 0; done < CHURN_CYCLES; done += 100) {
      closeAll(await openAll(server.port, 100));
    }
    await pingPong(server.port, 1, 0.2);
    table.row(CHURN, "B").values.set(target.name, await rss() - base);
  } finally {
    await stop(server);
  }
}

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === null) return 0;
  const work = await Deno.makeTempDir({ prefix: "ackline-bench-" });
  await Deno.mkdir(`${work}/files`);
  await makeFile(`${work}/files/large.bin`, DOWNLOAD_BYTES);
  await makeFile(`${work}/files/settle.bin`, SETTLE_DOWNLOAD_BYTES);
  const { targets, openLoop } = await findTargets(work, options.baseline);
  const main = targets.filter((t) => t.extra === undefined);
  const table = new Table();
  const running: Running[] = [];
  try {
    for (const target of targets) running.push(await start(target));
    await measureLoads(running, table, openLoop, options);
  } finally {
    for (const server of running.splice(0)) await stop(server);
  }
  await measureFirstDownloads(targets, table, options);
  await measureTlsDownloads(work, table, options);
  await measureClientDownloads(targets, work, table, options);
  table.row("server memory per idle connection, 1,000", "B");
  table.row("server memory per idle connection, 10,000", "B");
  for (const target of main) await measureIdleMemory(target, table);
  table.row(CHURN, "B");
  for (const target of main) await measureChurn(target, table);
  table.row(IDLE_RSS, "B");
  table.row(SETTLED_RSS, "B");
  for (const target of main) await measureSettling(target, table);
  const sha256 = await sha256Rate();
  await Deno.remove(work, { recursive: true });
  console.log();
  console.log(table.render(main.map((t) => t.name)));
  console.log(
    "\nRatios are ackline's advantage (higher is better for ackline, for memory, latency and CPU too).",
  );
  console.log(
    `SHA-256 on one core of this machine (node:crypto): ${
      formatBytes(sha256)
    }/s, the bound of a first download.`,
  );
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
