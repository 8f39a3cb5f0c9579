/**
 * `deno task bench`: runs the same load against ackline, the plain Node.js
 * reference and (where a C compiler is present) the epoll reference, in one
 * run, and prints the figures with ackline's ratios to each.
 *
 * Usage: deno task bench [--seconds N] [--skip-10k]
 *
 * Everything runs on loopback; each measurement is bounded in time.
 *
 * @module
 */

import { format as formatBytes } from "@std/fmt/bytes";
import { integerFlag, parseFlags, runProgram } from "../lib/cli.ts";
import { closeAll, download, openAll, pingPong, pipelined } from "./load.ts";

const HERE = new URL(".", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const DOWNLOAD_BYTES = 1 << 30;

interface Target {
  name: string;
  command: Deno.Command;
  portPattern: RegExp;
  serves: { files: boolean };
}

interface Running {
  target: Target;
  child: Deno.ChildProcess;
  port: number;
  drained: Promise<void>;
}

async function start(target: Target): Promise<Running> {
  const child = target.command.spawn();
  let text = "";
  let found!: (port: number) => void;
  const port = new Promise<number>((resolve) => found = resolve);
  const drained = (async () => {
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      text = (text + chunk).slice(-1024);
      const match = target.portPattern.exec(text);
      if (match) found(Number(match[1]));
    }
  })();
  return { target, child, port: await port, drained };
}

async function stop(running: Running): Promise<void> {
  running.child.kill("SIGTERM");
  await running.child.status;
  await running.drained;
}

async function rss(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
  }).output();
  return Number(new TextDecoder().decode(stdout).trim()) * 1024;
}

/** Server memory per idle connection, over `count` greeted connections. */
async function idleMemory(running: Running, count: number): Promise<number> {
  const before = await rss(running.child.pid);
  const conns = await openAll(running.port, count);
  try {
    // Let the server finish whatever the greetings started.
    await pingPong(running.port, 1, 0.2);
    return (await rss(running.child.pid) - before) / count;
  } finally {
    closeAll(conns);
  }
}

async function hasCompiler(): Promise<boolean> {
  try {
    return (await new Deno.Command("cc", {
      args: ["--version"],
      stdout: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

async function hasNode(): Promise<boolean> {
  try {
    return (await new Deno.Command("node", {
      args: ["--version"],
      stdout: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

async function makeLargeFile(dir: string): Promise<void> {
  using file = await Deno.create(`${dir}/large.bin`);
  const block = new Uint8Array(1 << 20);
  for (let i = 0; i < block.length; i += 65536) {
    crypto.getRandomValues(block.subarray(i, i + 65536));
  }
  for (let written = 0; written < DOWNLOAD_BYTES; written += block.length) {
    let done = 0;
    while (done < block.length) done += await file.write(block.subarray(done));
  }
}

type Row = { label: string; unit: string; values: Map<string, number | null> };

function cell(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return "–";
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

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["seconds"]);
  if (flags.help) {
    console.log(
      "Usage: deno task bench [--seconds N]   (N seconds per measurement, default 3)",
    );
    return 0;
  }
  const seconds = integerFlag("seconds", flags.values.seconds, {
    min: 1,
    max: 60,
    fallback: 3,
  });
  const work = await Deno.makeTempDir({ prefix: "ackline-bench-" });
  const filesDir = `${work}/files`;
  await Deno.mkdir(filesDir);
  await makeLargeFile(filesDir);

  const targets: Target[] = [{
    name: "ackline",
    command: new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `--allow-read=${filesDir}`,
        `${ROOT}server.ts`,
        "--port",
        "0",
        "--max-clients",
        "20000",
        "--idle-timeout",
        "0",
        "--files",
        filesDir,
      ],
      stdout: "piped",
      stderr: "inherit",
    }),
    portPattern: /Listening on 127\.0\.0\.1:(\d+)/,
    serves: { files: true },
  }];
  if (await hasNode()) {
    targets.push({
      name: "Node",
      command: new Deno.Command("node", {
        args: [`${HERE}reference_node.mjs`, "0", filesDir],
        stdout: "piped",
        stderr: "inherit",
      }),
      portPattern: /Listening on port (\d+)/,
      serves: { files: true },
    });
  } else {
    console.log("node not found: the Node.js reference is skipped");
  }
  if (await hasCompiler()) {
    const binary = `${work}/epoll_echo`;
    const built = await new Deno.Command("cc", {
      args: ["-O2", "-o", binary, `${HERE}reference_epoll.c`],
    }).output();
    if (built.success) {
      targets.push({
        name: "C epoll",
        command: new Deno.Command(binary, {
          args: ["0"],
          stdout: "piped",
          stderr: "inherit",
        }),
        portPattern: /Listening on port (\d+)/,
        serves: { files: false },
      });
    }
  } else {
    console.log("no C compiler: the epoll reference is skipped");
  }

  const rows: Row[] = [];
  const row = (label: string, unit: string) => {
    const r: Row = { label, unit, values: new Map() };
    rows.push(r);
    return r;
  };
  const pp1 = row("ping-pong, 1 connection", "msg/s");
  const pp3 = row("ping-pong, 3 connections", "msg/s");
  const pp3p50 = row("  p50 latency, 3 connections", "ms");
  const pp3p99 = row("  p99 latency, 3 connections", "ms");
  const pp1000 = row("ping-pong, 1,000 connections", "msg/s");
  const pl3 = row("pipelined, 3 connections x 64 in flight", "msg/s");
  const pl1000 = row("pipelined, 1,000 connections x 8 in flight", "msg/s");
  const dlCold = row("download 1 GiB, first (SHA-256 computed)", "B/s");
  const dlWarm = row("download 1 GiB, again (SHA-256 known)", "B/s");
  const idle1k = row("server memory per idle connection, 1,000", "B");
  const idle10k = row("server memory per idle connection, 10,000", "B");

  for (const target of targets) {
    console.log(`measuring ${target.name} …`);
    const running = await start(target);
    try {
      const port = running.port;
      const set = (r: Row, v: number | null) => r.values.set(target.name, v);
      set(pp1, (await pingPong(port, 1, seconds)).perSecond);
      const three = await pingPong(port, 3, seconds);
      set(pp3, three.perSecond);
      set(pp3p50, three.p50Ms);
      set(pp3p99, three.p99Ms);
      set(pp1000, (await pingPong(port, 1000, seconds)).perSecond);
      set(pl3, (await pipelined(port, 3, 64, seconds)).perSecond);
      set(pl1000, (await pipelined(port, 1000, 8, seconds)).perSecond);
      if (target.serves.files) {
        set(dlCold, await download(port, "large.bin"));
        let best = 0;
        for (let i = 0; i < 3; i++) {
          best = Math.max(best, await download(port, "large.bin"));
        }
        set(dlWarm, best);
      }
      set(idle1k, await idleMemory(running, 1000));
      if (target.name === "ackline") {
        set(idle10k, await idleMemory(running, 10_000));
      }
    } finally {
      await stop(running);
    }
  }
  await Deno.remove(work, { recursive: true });

  const names = targets.map((t) => t.name);
  const header = ["Measure", ...names, "ackline/Node", "ackline/C"];
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => i === 0 ? "---" : "---:").join(" | ")} |`,
  ];
  for (const r of rows) {
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
  console.log();
  console.log(lines.join("\n"));
  console.log(
    "\nRatios are ackline's advantage (higher is better for ackline, for memory and latency too).",
  );
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
