/**
 * `deno task bench-client`: the client program's peak memory against
 * scripted servers, honest and hostile: a plain status, the longest echo a
 * server may send, and replies that never end. Each case runs the real
 * client (a script that sends `status`, stdout discarded; the form every
 * version of the client has) and reads its peak resident memory
 * from the kernel (`ru_maxrss`, through python3); medians of the rounds.
 *
 * Usage: deno task bench-client [--rounds R] [--root DIR]
 *
 * `--root` runs the client of another checkout, for a before and after.
 * Everything runs on loopback; each case is bounded in time.
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
  COMMANDS,
  MAX_REQUEST_LINE_BYTES,
  ReplyWriter,
} from "../lib/wire/mod.ts";
import { permissionFlags, readTasks, ROOT } from "../tools/tasks.ts";

const encoder = new TextEncoder();

/** What a scripted server writes after the client's request. */
type Script = (conn: Deno.Conn) => Promise<void>;

async function replies(conn: Deno.Conn, build: (out: ReplyWriter) => void) {
  const out = new ReplyWriter();
  build(out);
  await writeAll(conn, out.bytes());
}

async function forever(conn: Deno.Conn, bytes: Uint8Array): Promise<never> {
  for (;;) await writeAll(conn, bytes);
}

const MiB = 1 << 20;

const CASES: Record<string, Script> = {
  "status, 3 lines": (conn) =>
    replies(conn, (out) => {
      out.lines(
        COMMANDS.status.code,
        ["Client  Address", "Client01  127.0.0.1:1"],
        "1 client",
      );
    }),
  "longest echo a server may send (4 MiB)": (conn) =>
    replies(conn, (out) => {
      const line = new Uint8Array(MAX_REQUEST_LINE_BYTES).fill(0x79);
      out.echo(line, 0, line.length);
    }),
  "never-ending reply, short lines": (conn) =>
    forever(conn, encoder.encode("211-endless\n".repeat(10_000))),
  "never-ending reply, 1 MiB lines": (conn) =>
    forever(
      conn,
      encoder.encode("211-" + "x".repeat(MiB - 5) + "\n"),
    ),
  "never-ending reply line": async (conn) => {
    await writeAll(conn, encoder.encode("250 "));
    await forever(conn, new Uint8Array(MiB).fill(0x79));
  },
};

/** Serves one connection with `script` after the greeting and the request. */
async function serveOne(listener: Deno.TcpListener, script: Script) {
  const conn = await listener.accept();
  try {
    await replies(conn, (out) => out.greeting("Client01"));
    // The client's noop, answered, then its request.
    const buf = new Uint8Array(64 * 1024);
    let lines = 0;
    while (lines < 2) {
      const n = await conn.read(buf);
      if (n === null) return;
      const before = lines;
      for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
      if (before === 0 && lines > 0) {
        await replies(conn, (out) => out.line(COMMANDS.noop.code, "OK"));
      }
    }
    await script(conn);
    // Until the client leaves.
    while (await conn.read(buf) !== null) { /* drop */ }
  } catch {
    // The client gave up: the case's point.
  } finally {
    conn.close();
  }
}

// Runs a command and prints the peak resident memory of its process.
const PEAK_RSS_PY = `
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], input=b"status\\n", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
sys.stderr.write(r.stderr.decode(errors="replace"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)
`;

interface Outcome {
  peakBytes: number;
  code: number;
  message: string;
  ms: number;
}

async function runCase(root: string, script: Script): Promise<Outcome> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveOne(listener, script);
  const task = (await readTasks()).client;
  const started = performance.now();
  const { stdout, stderr } = await new Deno.Command("python3", {
    args: [
      "-c",
      PEAK_RSS_PY,
      Deno.execPath(),
      "run",
      "--config",
      `${ROOT}deno.json`,
      ...permissionFlags(task, { HOME: "/nonexistent" }),
      `${root}/client.ts`,
      "--port",
      String(listener.addr.port),
    ],
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(90_000),
  }).output();
  const ms = performance.now() - started;
  await serving;
  const [kib, code] = new TextDecoder().decode(stdout).trim().split(" ");
  const message = new TextDecoder().decode(stderr).trim().split("\n").at(-1) ??
    "";
  return { peakBytes: Number(kib) * 1024, code: Number(code), message, ms };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["rounds", "root"]);
  if (flags.help) {
    console.log("Usage: deno task bench-client [--rounds R] [--root DIR]");
    return 0;
  }
  const rounds = integerFlag("rounds", flags.values.rounds, {
    min: 1,
    max: 50,
    fallback: 3,
  });
  const root = (flags.values.root ?? ROOT).replace(/\/$/, "");
  console.log(`Client of ${root}, ${rounds} rounds, medians:`);
  for (const [name, script] of Object.entries(CASES)) {
    const outcomes: Outcome[] = [];
    for (let round = 0; round < rounds; round++) {
      outcomes.push(await runCase(root, script));
    }
    const last = outcomes.at(-1)!;
    console.log(
      `  ${name.padEnd(40)} peak ${
        formatBytes(median(outcomes.map((o) => o.peakBytes)), { binary: true })
          .padStart(9)
      }  ${
        Math.round(median(outcomes.map((o) => o.ms)))
      } ms  exit ${last.code}${last.message ? `: ${last.message}` : ""}`,
    );
  }
  return 0;
}

if (import.meta.main) await runProgram(() => main(Deno.args));
