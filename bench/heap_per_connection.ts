/**
 * `deno task bench-heap`: what one idle connection costs the server's V8
 * heap, by kind of object. It starts the server with the inspector on
 * loopback, opens {@linkcode CONNECTIONS} idle connections after a warm-up,
 * takes a heap snapshot before and after, and prints the difference per
 * connection: count and bytes of each kind (closures by function name,
 * objects by constructor), largest first. The server runs with its
 * default idle timeout, as users run it.
 *
 * Usage: deno task bench-heap [--root DIR | --bare] [--connections N]
 *
 * `--root DIR` measures the server of another checkout instead; `--bare`,
 * the bare Deno reference (`reference_deno_bare.ts`), the runtime's floor.
 *
 * @module
 */

import { integerFlag, parseFlags, runProgram } from "../lib/common/mod.ts";
import { programEnv, spawnServer } from "../tools/programs.ts";
import { readTasks, ROOT, runFlags } from "../tools/tasks.ts";
import { closeAll, openAll, pingPong } from "./load.ts";

/** A V8 heap snapshot, the fields this tool reads. */
interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  strings: string[];
}

/** Count and bytes of each kind of object in a snapshot. */
function census(
  snapshot: Snapshot,
): Map<string, { count: number; bytes: number }> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const kinds = new Map<string, { count: number; bytes: number }>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name = type === "string" || type === "concatenated string" ||
        type === "sliced string" || type === "number"
      ? ""
      : strings[nodes[i + nameAt]].slice(0, 60);
    const key = `${type} ${name}`.trim();
    const kind = kinds.get(key) ?? { count: 0, bytes: 0 };
    kind.count++;
    kind.bytes += nodes[i + sizeAt];
    kinds.set(key, kind);
  }
  return kinds;
}

/** Takes a heap snapshot of the process whose inspector is at `ws`. */
async function takeSnapshot(ws: string): Promise<Snapshot> {
  const socket = new WebSocket(ws);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const chunks: string[] = [];
  let id = 0;
  const call = (method: string) => {
    const sent = ++id;
    socket.send(JSON.stringify({ id: sent, method }));
    return new Promise<void>((resolve) => {
      socket.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        if (message.id === sent) resolve();
      });
    });
  };
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.method === "HeapProfiler.addHeapSnapshotChunk") {
      chunks.push(message.params.chunk);
    }
  });
  await call("HeapProfiler.enable");
  await call("HeapProfiler.collectGarbage");
  await call("HeapProfiler.takeHeapSnapshot");
  socket.close();
  return JSON.parse(chunks.join(""));
}

const CONNECTIONS = 1000;
const HERE = new URL(".", import.meta.url).pathname;

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["root", "connections"], {
    switches: ["bare"],
  });
  if (flags.help) {
    console.log(
      "Usage: deno task bench-heap [--root DIR | --bare] [--connections N]",
    );
    return 0;
  }
  const root = flags.values.root ?? ROOT.replace(/\/$/, "");
  const count = integerFlag("connections", flags.values.connections, {
    min: 100,
    max: 20_000,
    fallback: CONNECTIONS,
  });
  const work = await Deno.makeTempDir({ prefix: "ackline-heap-" });
  await Deno.mkdir(`${work}/files`);
  const env = programEnv({ cwd: work, env: { NO_COLOR: "1" } });
  const config = `${root}/deno.json`;
  const inspectPort = 9300 + Math.floor(Math.random() * 500);
  const program = flags.switches.bare
    ? ["--allow-net=127.0.0.1", `${HERE}reference_deno_bare.ts`]
    : [
      "--config",
      config,
      ...runFlags((await readTasks(config)).server, env),
      `${root}/server.ts`,
      "--port",
      "0",
      "--max-clients",
      String(count + 100),
    ];
  const server = await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: ["run", `--inspect=127.0.0.1:${inspectPort}`, ...program],
      cwd: work,
      env,
      stdout: "piped",
      stderr: "piped",
    }),
    /Listening on (?:127\.0\.0\.1:|port )(\d+)/,
  );
  try {
    const [target] = await (await fetch(
      `http://127.0.0.1:${inspectPort}/json/list`,
    )).json();
    const ws: string = target.webSocketDebuggerUrl;
    // Warm up: code and heap every later connection shares.
    closeAll(await openAll(server.port, 1000));
    await pingPong(server.port, 1, 0.2);
    const before = census(await takeSnapshot(ws));
    const conns = await openAll(server.port, count);
    await pingPong(server.port, 1, 0.2);
    const after = census(await takeSnapshot(ws));
    closeAll(conns);
    const rows = [...after].map(([kind, { count: n, bytes }]) => {
      const was = before.get(kind) ?? { count: 0, bytes: 0 };
      return {
        kind,
        count: (n - was.count) / count,
        bytes: (bytes - was.bytes) / count,
      };
    }).filter((row) => row.bytes >= 8 || row.count >= 0.5)
      .sort((a, b) => b.bytes - a.bytes);
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    console.log(
      `V8 heap per idle connection (${count} connections): ${
        (total / 1024).toFixed(2)
      } KiB`,
    );
    console.log("| Kind | Count | Bytes |");
    console.log("| --- | ---: | ---: |");
    for (const row of rows.slice(0, 25)) {
      console.log(
        `| ${row.kind} | ${row.count.toFixed(2)} | ${Math.round(row.bytes)} |`,
      );
    }
  } finally {
    await server.stop();
    await Deno.remove(work, { recursive: true });
  }
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
