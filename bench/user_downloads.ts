/**
 * `deno task bench-downloads`: what a user sees of a download. The real
 * client program, as its task runs it, takes a 1 GiB file from ackline's
 * server into its downloads folder, timed from its start to its exit
 * (saved and SHA-256 verified), plain and over TLS; beside it, a bare
 * socket reader that drops the bytes (the ceiling: what the server
 * delivers), and what a user would reach for instead, `curl -o FILE` from
 * the runtime's own HTTP file server followed by `sha256sum FILE`. The
 * client's peak memory comes from the kernel's accounting of its process.
 *
 * Rounds are interleaved, every digest is known before the first, and
 * figures are medians with their ratio to the reader's.
 *
 * Usage: deno task bench-downloads [--rounds R] [--baseline DIR]
 *
 * `--baseline DIR` adds rows for the client program of another checkout
 * (an earlier version, say), against the same server in the same rounds.
 *
 * @module
 */

import { connect } from "../client.ts";
import {
  formatBytes,
  integerFlag,
  parseFlags,
  runProgram,
  writeAll,
} from "../lib/common/mod.ts";
import { makeCertificates, NO_OPENSSL } from "../tools/certs.ts";
import {
  cannotRun,
  programArgs,
  programCommand,
  programEnv,
  type RunningServer,
  spawnServer,
} from "../tools/programs.ts";
import { fillRandom } from "../tools/random.ts";
import { permissionFlags, readTasks } from "../tools/tasks.ts";
import { download, median } from "./load.ts";

const HERE = new URL(".", import.meta.url).pathname;
const FILE_BYTES = 1 << 30;
const FILE = "large.bin";

// Runs a command with no input and prints its wall time in seconds, the
// peak resident memory (KiB) of the largest of its processes, and its exit
// code: the kernel's figures, for any program alike.
const TIMED_PY = `
import resource, subprocess, sys, time
started = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
seconds = time.perf_counter() - started
sys.stderr.write(r.stderr.decode(errors="replace"))
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)
`;

interface Timed {
  seconds: number;
  peakBytes: number;
}

/** Runs `args` in `cwd` with `env` under {@linkcode TIMED_PY}. */
async function timed(
  args: string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<Timed> {
  const { stdout, stderr } = await new Deno.Command("python3", {
    args: ["-c", TIMED_PY, ...args],
    cwd,
    env,
    clearEnv: env !== undefined,
    stdin: "null",
  }).output();
  const [seconds, kib, code] = new TextDecoder().decode(stdout).trim().split(
    " ",
  ).map(Number);
  if (code !== 0) {
    throw new Error(
      `${args.join(" ")} failed (${code}): ${new TextDecoder().decode(stderr)}`,
    );
  }
  return { seconds, peakBytes: kib * 1024 };
}

/** One way to take the file, measured once per round. */
interface Way {
  label: string;
  /** Takes the file once: its rate, and the peak memory where known. */
  take(): Promise<{ rate: number; peakBytes?: number }>;
}

/** The client program of the checkout at `root`, as its task runs it. */
async function clientArgs(
  root: string | null,
  args: string[],
  env: Record<string, string>,
): Promise<string[]> {
  if (root === null) {
    return [Deno.execPath(), ...await programArgs("client", args, env)];
  }
  const config = `${root}/deno.json`;
  return [
    Deno.execPath(),
    "run",
    "--config",
    config,
    ...permissionFlags((await readTasks(config)).client, env),
    `${root}/client.ts`,
    ...args,
  ];
}

/** The client program taking the file into `work`'s downloads folder. */
function clientWay(
  label: string,
  root: string | null,
  work: string,
  args: string[],
): Way {
  return {
    label,
    async take() {
      const env = programEnv({ cwd: work, env: { NO_COLOR: "1" } });
      const run = await timed(
        await clientArgs(root, [...args, "get", FILE], env),
        work,
        env,
      );
      await Deno.remove(`${work}/downloads`, { recursive: true });
      return { rate: FILE_BYTES / run.seconds, peakBytes: run.peakBytes };
    },
  };
}

/** A minimal HTTP file server on the runtime's own `Deno.serve`. */
async function startHttpServer(filesDir: string): Promise<RunningServer> {
  return await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-net=127.0.0.1`,
        `--allow-read=${filesDir}`,
        `${HERE}http_files.ts`,
        filesDir,
      ],
      stdout: "piped",
      stderr: "piped",
    }),
    /Listening on port (\d+)/,
  );
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["rounds", "baseline"]);
  if (flags.help) {
    console.log(
      "Usage: deno task bench-downloads [--rounds R] [--baseline DIR]\n" +
        "  R interleaved rounds (default 5); DIR: another checkout, whose client program is measured too",
    );
    return 0;
  }
  const rounds = integerFlag("rounds", flags.values.rounds, {
    min: 1,
    max: 20,
    fallback: 5,
  });
  const baseline = flags.values.baseline ?? null;
  const work = await Deno.makeTempDir({ prefix: "ackline-bench-" });
  const servers: RunningServer[] = [];
  try {
    await Deno.mkdir(`${work}/files`);
    {
      using file = await Deno.create(`${work}/files/${FILE}`);
      const block = fillRandom(new Uint8Array(1 << 20));
      for (let n = 0; n < FILE_BYTES; n += block.length) {
        await file.write(block);
      }
    }
    const serverOf = async (extra: string[], read: string[] = []) => {
      const server = await spawnServer(
        await programCommand("server", ["--port", "0", ...extra], {
          cwd: work,
          env: { NO_COLOR: "1" },
          read,
        }),
      );
      servers.push(server);
      return server;
    };
    const plain = await serverOf([]);
    const port = ["--port", String(plain.port)];
    const ways: Way[] = [
      {
        label: "socket reader, bytes dropped (the ceiling)",
        take: async () => ({ rate: await download(plain.port, FILE) }),
      },
      clientWay("client program, saved and verified", null, work, port),
      // Where the client's time goes: each of its stages alone.
      {
        label: "  reader + SHA-256 of each chunk, no file",
        async take() {
          const { createHash } = await import("node:crypto");
          const hash = createHash("sha256");
          const rate = await download(plain.port, FILE, undefined, (chunk) => {
            hash.update(chunk);
          });
          hash.digest();
          return { rate };
        },
      },
      {
        label: "  reader + each chunk written to a file, no hash",
        async take() {
          const path = `${work}/written.bin`;
          using file = await Deno.create(path);
          const rate = await download(
            plain.port,
            FILE,
            undefined,
            (chunk) => writeAll(file, chunk),
          );
          await Deno.remove(path);
          return { rate };
        },
      },
      {
        label: "  the client's own download, in this process (no start)",
        async take() {
          const session = await connect({ port: plain.port });
          try {
            const result = await session.download(FILE, {
              dir: `${work}/downloads`,
            });
            await Deno.remove(`${work}/downloads`, { recursive: true });
            return { rate: FILE_BYTES / (result.elapsedMs / 1000) };
          } finally {
            await session.close();
          }
        },
      },
    ];
    if (baseline !== null) {
      ways.push(clientWay("  the same, before", baseline, work, port));
    }
    const noCurl = await cannotRun("curl", ["--version"]);
    const noSum = await cannotRun("sha256sum", ["--version"]);
    const absent: string[] = [];
    if (noCurl === null && noSum === null) {
      const http = await startHttpServer(`${work}/files`);
      servers.push(http);
      const url = `http://127.0.0.1:${http.port}/${FILE}`;
      ways.push({
        label: "curl -o FILE from Deno.serve, then sha256sum FILE",
        async take() {
          const run = await timed([
            "sh",
            "-c",
            'curl -sS -o "$1" "$2" && sha256sum "$1" && rm "$1"',
            "sh",
            `${work}/curl.bin`,
            url,
          ], work);
          return { rate: FILE_BYTES / run.seconds, peakBytes: run.peakBytes };
        },
      });
    } else {
      absent.push(`curl + sha256sum: ${noCurl ?? noSum}`);
    }
    if (NO_OPENSSL === null) {
      const certs = await makeCertificates();
      await Deno.mkdir(`${work}/tls`);
      const [cert, key, ca] = ["cert", "key", "ca"].map((name) =>
        `${work}/tls/${name}.pem`
      );
      await Deno.writeTextFile(cert, certs.cert);
      await Deno.writeTextFile(key, certs.key);
      await Deno.writeTextFile(ca, certs.ca);
      const tls = await serverOf(
        ["--tls-cert", cert, "--tls-key", key],
        [cert, key],
      );
      const caCerts = { caCerts: [certs.ca] };
      ways.push({
        label: "TLS: socket reader, bytes dropped (the ceiling)",
        take: async () => ({ rate: await download(tls.port, FILE, caCerts) }),
      }, {
        ...clientWay("TLS: client program, saved and verified", null, work, [
          "--port",
          String(tls.port),
          "--ca",
          "tls/ca.pem",
        ]),
      });
      await download(tls.port, FILE, caCerts); // the digest, once
    } else {
      absent.push(`TLS: ${NO_OPENSSL}`);
    }
    await download(plain.port, FILE); // the digest, once
    const rates = new Map<string, number[]>();
    const peaks = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      // Each round in another order, so no way always follows the same one.
      const order = ways.map((_, i) => ways[(i + round) % ways.length]);
      for (const way of order) {
        const { rate, peakBytes } = await way.take();
        rates.set(way.label, [...rates.get(way.label) ?? [], rate]);
        if (peakBytes !== undefined) {
          peaks.set(way.label, [...peaks.get(way.label) ?? [], peakBytes]);
        }
      }
      console.error(`round ${round + 1} of ${rounds} done`);
    }
    const ceiling = (label: string) =>
      median(
        rates.get(
          label.startsWith("TLS")
            ? "TLS: socket reader, bytes dropped (the ceiling)"
            : "socket reader, bytes dropped (the ceiling)",
        ) ?? [NaN],
      );
    console.log(
      `\nDownload of ${
        formatBytes(FILE_BYTES)
      }, digest known, medians of ${rounds} interleaved rounds\n`,
    );
    console.log("| Way | Rate | Of the ceiling | Peak memory |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const way of ways) {
      const rate = median(rates.get(way.label)!);
      const peak = peaks.get(way.label);
      console.log(
        `| ${way.label} | ${formatBytes(rate)}/s | ${
          (rate / ceiling(way.label)).toFixed(2)
        }x | ${peak ? formatBytes(median(peak)) : "–"} |`,
      );
    }
    for (const line of absent) console.log(`Not measured: ${line}`);
  } finally {
    for (const server of servers) await server.stop();
    await Deno.remove(work, { recursive: true });
  }
  return 0;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
