/**
 * End-to-end tests: server.ts and client.ts run as real programs, with the
 * permissions their tasks give them, driven through stdin and signals.
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { RawClient, within } from "./helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const STACK_TRACE = /^\s+at /m;

function serverCommand(args: string[], filesDir: string) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=${filesDir}`,
      "server.ts",
      ...args,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "" },
  });
}

function clientCommand(args: string[], downloads = "./downloads") {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=${downloads}`,
      `--allow-write=${downloads}`,
      "client.ts",
      ...args,
    ],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Collects a stream's text and lets a test wait for a line that matches. */
class Output {
  text = "";
  readonly done: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.text += chunk;
        for (const waiter of this.#waiters.splice(0)) waiter();
      }
    })();
  }

  /** Resolves with the first match of `pattern` in a complete line. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return within(
      new Promise((resolve) => {
        const check = () => {
          const match = this.text.split("\n").slice(0, -1).map((line) =>
            line.match(pattern)
          )
            .find((m) => m);
          if (match) resolve(match);
          else this.#waiters.push(check);
        };
        check();
      }),
      `output matching ${pattern}`,
    );
  }
}

/** Runs the server program on a free port until the test is done. */
async function withServerProgram(
  args: string[],
  test: (
    port: number,
    process: Deno.ChildProcess,
    stdout: Output,
  ) => Promise<void>,
) {
  const filesDir = await Deno.makeTempDir({ prefix: "ackline-e2e-" });
  await Deno.writeTextFile(`${filesDir}/notes.txt`, "hello file");
  const child = serverCommand(
    ["--port", "0", "--files", filesDir, ...args],
    filesDir,
  ).spawn();
  const stdout = new Output(child.stdout);
  const stderr = new Output(child.stderr);
  try {
    const [, port] = await stdout.waitFor(
      /^\[SERVER\] Listening on 127\.0\.0\.1:(\d+)$/,
    );
    await test(Number(port), child, stdout);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await stdout.done;
    await stderr.done;
    await Deno.remove(filesDir, { recursive: true });
  }
}

async function runClient(args: string[], input: string, downloads?: string) {
  const child = clientCommand(args, downloads).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(input));
  await writer.close();
  const { code, stdout, stderr } = await within(
    child.output(),
    "the client to exit",
  );
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

Deno.test("server --help shows every flag and exits 0", async () => {
  const { code, stdout } = await serverCommand(["--help"], ".").output();
  assertEquals(code, 0);
  const text = decoder.decode(stdout);
  for (
    const flag of [
      "--host",
      "--port",
      "--max-clients",
      "--files",
      "--max-line",
      "--idle-timeout",
    ]
  ) {
    assertStringIncludes(text, flag);
  }
});

Deno.test("server rejects bad command lines with one line and exit code 2", async (t) => {
  const cases: [string[], string][] = [
    [
      ["--port", "99999"],
      "error: --port must be an integer from 0 to 65535, got 99999",
    ],
    [
      ["--max-clients", "0"],
      "error: --max-clients must be an integer from 1 to 1000000, got 0",
    ],
    [
      ["--port", "abc"],
      "error: --port must be an integer from 0 to 65535, got abc",
    ],
    [["--bogus"], "error: Unknown flag: --bogus"],
    [["extra"], "error: Unexpected argument: extra"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stderr } = await serverCommand(args, ".").output();
      const text = decoder.decode(stderr);
      assertEquals(code, 2);
      assertEquals(text, `${message}\nRun with --help for usage.\n`);
    });
  }
});

Deno.test("server reports a port in use and a missing folder in one line", async () => {
  await withServerProgram([], async (port) => {
    const { code, stderr } = await serverCommand([
      "--port",
      String(port),
      "--files",
      ".",
    ], ".")
      .output();
    assertEquals(code, 1);
    assertEquals(
      decoder.decode(stderr),
      `error: Port ${port} is already in use on 127.0.0.1; stop the program using it or pick another with --port\n`,
    );
  });
  const missing = await serverCommand([
    "--port",
    "0",
    "--files",
    "./no-such-folder",
  ], ".").output();
  assertEquals(missing.code, 1);
  const text = decoder.decode(missing.stderr);
  assertMatch(text, /^error: Cannot serve \.\/no-such-folder: /);
  assert(!STACK_TRACE.test(text), text);
});

Deno.test("server logs like the reference and stops cleanly on SIGTERM", async () => {
  await withServerProgram([], async (port, child, stdout) => {
    const { client, name } = await RawClient.greeted(port);
    using _ = client;
    assertEquals(name, "Client01");
    const local = client.conn.localAddr.port;
    await stdout.waitFor(
      new RegExp(
        `^\\[NEW CONNECTION\\] Client01 connected from 127\\.0\\.0\\.1:${local}$`,
      ),
    );
    child.kill("SIGTERM");
    assertEquals(await client.reply(), {
      code: 421,
      lines: ["Server is shutting down"],
    });
    assertEquals((await child.status).code, 0);
    await stdout.done;
    assertMatch(
      stdout.text,
      /^\[DISCONNECTED\] Client01 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/m,
    );
    assert(
      !stdout.text.includes("\u001b["),
      "colour codes in a log that is not a terminal",
    );
  });
});

Deno.test("client run from a script prints each reply and exits after the last", async () => {
  await withServerProgram([], async (port) => {
    const { code, stdout, stderr } = await runClient(
      ["--port", String(port)],
      "hello world\nstatus\nexit\n",
    );
    assertEquals(stderr, "");
    assertEquals(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assertEquals(lines[0], "Connected as Client01");
    assertEquals(lines[1], "hello worldACK");
    assertMatch(
      lines[2],
      /^Client +Address +Connected +Disconnected +Duration$/,
    );
    assertMatch(
      lines[3],
      /^Client01 +127\.0\.0\.1:\d+ +\d{4}-\d\d-\d\d [\d:.]+ +- +\S+/,
    );
    assertEquals(lines[4], "1 client since start, 1 connected");
    assertEquals(lines[5], "Goodbye Client01");
    assertEquals(lines.length, 6);
  });
});

Deno.test("client downloads with get and prints a one-line summary", async () => {
  const downloads = await Deno.makeTempDir({ prefix: "ackline-e2e-dl-" });
  try {
    await withServerProgram([], async (port) => {
      const { code, stdout } = await runClient(
        ["--port", String(port), "--downloads", downloads],
        "list\nget notes.txt\nget missing\n",
        downloads,
      );
      assertMatch(stdout, /^notes\.txt {2}10 B {2}\d{4}-/m);
      assertMatch(
        stdout,
        /^Saved notes\.txt \(10 B\) in \d+ ms, SHA-256 verified$/m,
      );
      assertMatch(stdout, /^No such file: missing$/m);
      assertEquals(code, 1); // one get failed
      assertEquals(
        await Deno.readTextFile(`${downloads}/notes.txt`),
        "hello file",
      );
    });
  } finally {
    await Deno.remove(downloads, { recursive: true });
  }
});

Deno.test("client says the server is full and exits non-zero", async () => {
  await withServerProgram(["--max-clients", "1"], async (port) => {
    const { client } = await RawClient.greeted(port);
    using _ = client;
    const { code, stdout, stderr } = await runClient(
      ["--port", String(port)],
      "hello\n",
    );
    assertEquals(code, 1);
    assertEquals(stdout, "");
    assertEquals(
      stderr,
      "error: Server is full: 1 of 1 clients connected; try again later\n",
    );
  });
});

Deno.test("client without a server says so in one line", async () => {
  // A port that was free a moment ago: nothing listens there now.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const { code, stderr } = await runClient(["--port", String(port)], "");
  assertEquals(code, 1);
  assertEquals(
    stderr,
    `error: Cannot connect to 127.0.0.1:${port}: connection refused (is the server running?)\n`,
  );
});

Deno.test("client tells when the server shuts down mid-session", async () => {
  await withServerProgram([], async (port, server) => {
    const child = clientCommand(["--port", String(port)]).spawn();
    const stdout = new Output(child.stdout);
    const stderr = new Output(child.stderr);
    await stdout.waitFor(/^Connected as Client01$/);
    server.kill("SIGTERM");
    const { code } = await within(child.status, "the client to exit");
    await child.stdin.close();
    await stdout.done;
    await stderr.done;
    assertEquals(code, 1);
    assertEquals(stderr.text, "error: Server is shutting down\n");
  });
});

Deno.test("client --help mentions list and get", async () => {
  const { code, stdout } = await runClient(["--help"], "");
  assertEquals(code, 0);
  assertMatch(stdout, /'list'[\s\S]*'get <name>'/);
});

Deno.test("client closes cleanly on end of input and on Ctrl+C", async (t) => {
  await withServerProgram([], async (port, _server, serverOut) => {
    await t.step("end of input without exit", async () => {
      const { code, stdout } = await runClient(
        ["--port", String(port)],
        "hi\n",
      );
      assertEquals(code, 0);
      assertEquals(stdout, "Connected as Client01\nhiACK\n");
      await serverOut.waitFor(/^\[DISCONNECTED\] Client01 at /);
    });
    await t.step("Ctrl+C at the prompt", async () => {
      const child = clientCommand(["--port", String(port)]).spawn();
      const stdout = new Output(child.stdout);
      await stdout.waitFor(/^Connected as Client02$/);
      child.kill("SIGINT");
      const { code } = await within(child.status, "the client to exit");
      await child.stdin.close();
      await stdout.done;
      await child.stderr.cancel();
      assertEquals(code, 0);
      await serverOut.waitFor(/^\[DISCONNECTED\] Client02 at /);
    });
  });
});

Deno.test("Ctrl+C on the server with clients idle and downloading: all told, all recorded, exit 0", async () => {
  const filesDir = await Deno.makeTempDir({ prefix: "ackline-e2e-stop-" });
  await Deno.writeFile(`${filesDir}/big.bin`, new Uint8Array(64 * 1024 * 1024));
  const child = serverCommand(["--port", "0", "--files", filesDir], filesDir)
    .spawn();
  const stdout = new Output(child.stdout);
  const stderr = new Output(child.stderr);
  try {
    const [, port] = await stdout.waitFor(
      /^\[SERVER\] Listening on 127\.0\.0\.1:(\d+)$/,
    );
    const idle = await RawClient.greeted(Number(port));
    using _i = idle.client;
    const downloading = await RawClient.greeted(Number(port));
    using _d = downloading.client;
    await downloading.client.send("get big.bin");
    assertEquals((await downloading.client.reply()).code, 150);
    await downloading.client.bytes(1024); // then stop reading: mid-transfer
    child.kill("SIGINT");
    assertEquals(await idle.client.reply(), {
      code: 421,
      lines: ["Server is shutting down"],
    });
    await idle.client.closed();
    await downloading.client.closed(); // cut: nothing can be said mid-payload
    assertEquals((await child.status).code, 0);
    await stdout.done;
    assertMatch(stdout.text, /^\[DISCONNECTED\] Client01 at /m);
    assertMatch(stdout.text, /^\[DISCONNECTED\] Client02 at /m);
    assertMatch(stdout.text, /^\[SERVER\] Stopped$/m);
  } finally {
    await child.status;
    await stdout.done;
    await stderr.done;
    await Deno.remove(filesDir, { recursive: true });
  }
});
