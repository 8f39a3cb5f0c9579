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
import { median } from "./load.ts";

const encoder = new TextEncoder();

/** What a scripted server writes after the client's request. */
type Script = (conn: Deno.Conn) => Promise<void>;

/** A case: what the client asks (its script's one line), and the answer. */
interface Case {
  /** The line the client sends, after connecting. */
  request: string;
  /** What the server writes once it has read that line. */
  script: Script;
  /** Run the script as the reply to the client's first line (`noop`) instead. */
  atConnect?: boolean;
}

async function replies(conn: Deno.Conn, build: (out: ReplyWriter) => void) {
  const out = new ReplyWriter();
  build(out);
  await writeAll(conn, out.bytes());
}

async function forever(conn: Deno.Conn, bytes: Uint8Array): Promise<never> {
  for (;;) await writeAll(conn, bytes);
}

const MiB = 1 << 20;

const status: Script = (conn) =>
  replies(conn, (out) => {
    out.lines(
      COMMANDS.status.code,
      ["Client  Address", "Client01  127.0.0.1:1"],
      "1 client",
    );
  });
const endlessShortLines: Script = (conn) =>
  forever(conn, encoder.encode("211-endless\n".repeat(10_000)));

const CASES: Record<string, Case> = {
  "status, 3 lines": { request: "status", script: status },
  "longest echo a server may send (4 MiB)": {
    request: "status",
    script: (conn) =>
      replies(conn, (out) => {
        const line = new Uint8Array(MAX_REQUEST_LINE_BYTES).fill(0x79);
        out.echo(line, 0, line.length);
      }),
  },
  "never-ending reply, short lines": {
    request: "status",
    script: endlessShortLines,
  },
  "never-ending reply, 1 MiB lines": {
    request: "status",
    script: (conn) =>
      forever(conn, encoder.encode("211-" + "x".repeat(MiB - 5) + "\n")),
  },
  "never-ending reply line": {
    request: "status",
    script: async (conn) => {
      await writeAll(conn, encoder.encode("250 "));
      await forever(conn, new Uint8Array(MiB).fill(0x79));
    },
  },
  "never-ending reply to the first noop": {
    request: "status",
    script: endlessShortLines,
    atConnect: true,
  },
  "a list of 400 MiB of file names": {
    request: "list",
    script: async (conn) => {
      const row = "a-name-of-some-length-for-tab.bin  1 B  -";
      const rows = encoder.encode(`212-${row}\n`.repeat(10_000));
      for (let sent = 0; sent < 400 * MiB; sent += rows.length) {
        await writeAll(conn, rows);
      }
      await replies(conn, (out) => out.line(COMMANDS.list.code, "end"));
    },
  },
};

/** Reads until `count` more line ends have come; `false` at the end. */
async function lines(conn: Deno.Conn, count: number): Promise<boolean> {
  const buf = new Uint8Array(64 * 1024);
  while (count > 0) {
    const n = await conn.read(buf);
    if (n === null) return false;
    for (let i = 0; i < n; i++) if (buf[i] === 0x0a) count--;
  }
  return true;
}

/**
 * Serves one connection as a server would start it (greeting, `noop`,
 * `hello`), then answers the client's request with the case's script; or
 * answers its first line so, for a case at connect.
 */
async function serveOne(
  listener: Deno.TcpListener,
  { script, atConnect }: Case,
) {
  const conn = await listener.accept();
  try {
    await replies(conn, (out) => out.greeting("Client01"));
    if (!await lines(conn, 1)) return; // noop
    if (atConnect) return await script(conn);
    await replies(conn, (out) => out.line(COMMANDS.noop.code, "OK"));
    if (!await lines(conn, 1)) return; // hello
    await replies(
      conn,
      (out) => out.line(COMMANDS.hello.code, "Hello Client01"),
    );
    if (!await lines(conn, 1)) return; // the request
    await script(conn);
    const buf = new Uint8Array(64 * 1024);
    // Until the client leaves.
    while (await conn.read(buf) !== null) { /* drop */ }
  } catch {
    // The client gave up: the case's point.
  } finally {
    conn.close();
  }
}

// Runs a command, its input the first argument and a line end, and prints
// the peak resident memory of its process.
const PEAK_RSS_PY = `
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], input=sys.argv[1].encode() + b"\\n", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
sys.stderr.write(r.stderr.decode(errors="replace"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)
`;

interface Outcome {
  peakBytes: number;
  code: number;
  message: string;
  ms: number;
}

async function runCase(root: string, test: Case): Promise<Outcome> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveOne(listener, test);
  const task = (await readTasks()).client;
  const started = performance.now();
  const { stdout, stderr } = await new Deno.Command("python3", {
    args: [
      "-c",
      PEAK_RSS_PY,
      test.request,
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
  for (const [name, test] of Object.entries(CASES)) {
    const outcomes: Outcome[] = [];
    for (let round = 0; round < rounds; round++) {
      outcomes.push(await runCase(root, test));
    }
    const last = outcomes.at(-1)!;
    console.log(
      `  ${name.padEnd(40)} peak ${
        formatBytes(median(outcomes.map((o) => o.peakBytes)))
          .padStart(9)
      }  ${
        Math.round(median(outcomes.map((o) => o.ms)))
      } ms  exit ${last.code}${last.message ? `: ${last.message}` : ""}`,
    );
  }
  return 0;
}

if (import.meta.main) await runProgram(() => main(Deno.args));
