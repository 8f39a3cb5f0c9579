/**
 * End-to-end tests: server.ts and client.ts run as real programs, with
 * exactly the permissions their deno.json tasks give them, from a folder
 * of their own (its ./files and ./downloads), driven through stdin and
 * signals.
 */

import { HELP_LINES } from "../lib/client/commands.ts";
import { keptName, nameTag } from "../lib/client/kept_part.ts";
import { MAX_WAITING } from "../lib/server/config.ts";
import { COMMANDS } from "../lib/wire/mod.ts";
import { MAX_REPLY_LINE_BYTES } from "../lib/wire/limits.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import {
  LISTENING,
  LOG_TIME,
  logLine,
  Output,
  programCommand,
  programEnv,
  type RunningServer,
  startServerProgram,
} from "../tools/programs.ts";
import { permissionFlags, readTasks, ROOT } from "../tools/tasks.ts";
import { send, sendReplies, serveOnce } from "./support/fake_server.ts";
import { listDir, withTempDir, writeContent } from "./support/files.ts";
import { startServer } from "./support/test_server.ts";
import { RawClient } from "./support/raw_client.ts";
import { within } from "../tools/wait.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const STACK_TRACE = /^\s+at /m;

/**
 * Runs the test in a fresh folder holding `files/notes.txt`, with the
 * server program serving it on a free port.
 */
async function withServerProgram(
  args: string[],
  test: (server: RunningServer, dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "ackline-e2e-" });
  try {
    await Deno.mkdir(`${dir}/files`);
    await Deno.writeTextFile(`${dir}/files/notes.txt`, "hello file");
    await using server = await startServerProgram({ cwd: dir, args });
    await test(server, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Expects `client` to be told the server is shutting down, closes it, and
 * expects the server to exit on its own with 0.
 */
async function toldAndStopped(server: RunningServer, client: RawClient) {
  assertEquals(await client.reply(), {
    code: 421,
    lines: ["Server is shutting down"],
  });
  client.close();
  const { code } = await within(server.child.status, "the server to exit");
  assertEquals(code, 0);
}

/** The server's log line for the client whose output greeted it. */
function disconnected(clientOutput: string): RegExp {
  const name = /^Connected as (\S+)$/m.exec(clientOutput)?.[1];
  return new RegExp(`^${LOG_TIME}\\[DISCONNECTED\\] ${name} at `);
}

/** The server program run once to its end, in `cwd` (a fresh folder unless told). */
async function runServer(
  args: string[],
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (cwd === undefined) {
    return await withTempDir((dir) => runServer(args, dir));
  }
  const command = await programCommand("server", args, { cwd });
  const { code, stdout, stderr } = await within(
    command.output(),
    "the server to exit",
  );
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** The client program in `cwd`, spawned with its stdin piped. */
async function spawnClient(args: string[], cwd: string) {
  const command = await programCommand("client", args, {
    cwd,
    stdin: "piped",
  });
  return command.spawn();
}

/** The client program fed `input`, run to its end, in `cwd` (a fresh folder unless told). */
async function runClient(
  args: string[],
  input: string,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (cwd === undefined) {
    return await withTempDir((dir) => runClient(args, input, dir));
  }
  const child = await spawnClient(args, cwd);
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

Deno.test("server --help shows every flag with its default and exits 0", async () => {
  const { code, stdout } = await runServer(["--help"]);
  assertEquals(code, 0);
  for (
    const flag of [
      /--host HOST .*\(default 127\.0\.0\.1\)/,
      /--port PORT .*\(default 12345\)/,
      /--max-clients N .*\(default 3\)/,
      /--files DIR .*\(default \.\/files\)/,
      /--max-line BYTES .*\(default 65536\)/,
      /--idle-timeout SEC .*\(default 300\)/,
      /--history N .*\(default 1000\)/,
      /--log-format FORMAT .*\(default text\)/,
      /-q, --quiet/,
      /-v, --verbose/,
      /-h, --help/,
    ]
  ) {
    assertMatch(stdout, flag);
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
    [
      ["--max-line", "4194305"],
      "error: --max-line must be an integer from 16 to 4194304, got 4194305",
    ],
    [["--bogus"], "error: Unknown flag: --bogus"],
    [["extra"], "error: Unexpected argument: extra"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stderr } = await runServer(args);
      assertEquals(code, 2);
      assertEquals(stderr, `${message}\nRun with --help for usage.\n`);
    });
  }
});

Deno.test("server reports a port in use and a missing folder in one line", async () => {
  await withServerProgram([], async ({ port }, dir) => {
    const { code, stderr } = await runServer(["--port", String(port)], dir);
    assertEquals(code, 1);
    assertEquals(
      stderr,
      `error: Port ${port} is already in use on 127.0.0.1; stop the program using it or pick another with --port\n`,
    );
  });
  const empty = await Deno.makeTempDir({ prefix: "ackline-e2e-empty-" });
  try {
    const { code, stderr } = await runServer(["--port", "0"], empty);
    assertEquals(code, 1);
    assertEquals(stderr, "error: Cannot serve ./files: it does not exist\n");
    assert(!STACK_TRACE.test(stderr), stderr);
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test("server logs like the reference and stops cleanly on SIGTERM", async () => {
  await withServerProgram([], async (server) => {
    const { client, name } = await RawClient.greeted(server.port);
    using _ = client;
    assertEquals(name, "Client01");
    const local = client.conn.localAddr.port;
    await server.stdout.waitFor(
      logLine(
        "NEW CONNECTION",
        `Client01 connected from 127\\.0\\.0\\.1:${local}`,
      ),
    );
    server.child.kill("SIGTERM");
    await toldAndStopped(server, client);
    assertMatch(
      server.stdout.text,
      logLine(
        "DISCONNECTED",
        `Client01 at ${LOG_TIME}after [^(]+ \\(server shutting down\\)`,
        "m",
      ),
    );
    assert(
      !server.stdout.text.includes("\u001b["),
      "colour codes in a log that is not a terminal",
    );
  });
});

Deno.test("a second Ctrl+C stops the server at once", async () => {
  await withServerProgram([], async (server) => {
    // A client that has spoken, and then neither reads nor closes, keeps a
    // shutdown waiting (one that never sent a byte is closed at once).
    const { client } = await RawClient.greeted(server.port);
    using _ = client;
    await client.request("here");
    server.child.kill("SIGINT");
    await server.stdout.waitFor(logLine("SERVER", "Shutting down.*"));
    // Time is the subject: a repeat within half a second is the same
    // Ctrl+C delivered twice (as under `deno task`), a later one is not.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assertEquals(await server.stop("SIGINT"), 1);
    assertMatch(server.stdout.text, logLine("SERVER", "Stopped at once", "m"));
  });
});

Deno.test("one Ctrl+C delivered twice at once still shuts down cleanly", async () => {
  await withServerProgram([], async (server) => {
    const { client } = await RawClient.greeted(server.port);
    // As a terminal and `deno task` both deliver it.
    server.child.kill("SIGINT");
    server.child.kill("SIGINT");
    await toldAndStopped(server, client);
    assertMatch(server.stdout.text, logLine("SERVER", "Stopped", "m"));
    assertMatch(
      server.stdout.text,
      logLine(
        "SERVER",
        "Shutting down \\(Ctrl\\+C again to stop at once\\)",
        "m",
      ),
    );
  });
});

Deno.test("a log that nobody reads holds up no client", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ackline-e2e-log-" });
  try {
    await Deno.mkdir(`${dir}/files`);
    const command = await programCommand("server", ["--port", "0"], {
      cwd: dir,
      env: { NO_COLOR: "1" },
    });
    const child = command.spawn();
    // Read the log only until the port shows, then never again: the pipe
    // fills after a few hundred clients.
    const reader = child.stdout.getReader();
    try {
      let text = "";
      let match: RegExpMatchArray | null = null;
      while (match === null) {
        const { value, done } = await within(reader.read(), "the port");
        if (done) throw new Error(`The server exited: ${text}`);
        text += decoder.decode(value);
        match = text.split("\n").map((line) => line.match(LISTENING))
          .find((m) => m !== null) ?? null;
      }
      const port = Number(match[1]);
      for (let i = 0; i < 2000; i++) {
        const { client } = await RawClient.greeted(port);
        client.close();
      }
    } finally {
      child.kill("SIGKILL");
      await within(child.status, "the server to exit");
      await reader.cancel();
      await child.stderr.cancel();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server --idle-timeout is in seconds", async () => {
  await withServerProgram(["--idle-timeout", "1"], async (server) => {
    const { client } = await RawClient.greeted(server.port);
    using _ = client;
    assertEquals(await client.reply(), {
      code: 421,
      lines: ["Idle timeout: no request for 1 s; closing"],
    });
  });
});

Deno.test("client run from a script prints each reply and exits after the last", async () => {
  await withServerProgram([], async ({ port }, dir) => {
    const { code, stdout, stderr } = await runClient(
      ["--port", String(port)],
      "hello world\nstatus\ntime\nexit\n",
      dir,
    );
    assertEquals(stderr, "");
    assertEquals(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assertEquals(lines[0], "Connected as Client01");
    assertEquals(lines[1], "hello worldACK");
    assertMatch(
      lines[2],
      /^Client +Address +Connected +Disconnected +Duration +Program$/,
    );
    // The client introduced itself: the server knows its program.
    assertMatch(
      lines[3],
      /^Client01 +127\.0\.0\.1:\d+ +\d{4}-\d\d-\d\d [\d:.]+ +- +\d[\d.]* m?s +ackline-client\/\d+\.\d+\.\d+$/,
    );
    assertEquals(lines[4], "1 client since start, 1 connected");
    assertMatch(
      lines[5],
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/,
    );
    assertEquals(lines[6], "Goodbye Client01");
    assertEquals(lines.length, 7);
  });
});

Deno.test("client downloads with get and prints a one-line summary", async () => {
  await withServerProgram([], async ({ port }, dir) => {
    const { code, stdout, stderr } = await runClient(
      ["--port", String(port)],
      "list\nget notes.txt\nget missing\n",
      dir,
    );
    // Replies on stdout; notices and failures on stderr.
    assertEquals(
      stdout.split("\n").filter((line) => line !== "").length,
      3, // the greeting, the file and the list's summary
    );
    assertMatch(stdout, /^notes\.txt {2}10 B {2}\d{4}-/m);
    assertMatch(
      stderr,
      /^Saved notes\.txt \(10 B\) in \d+ ms, SHA-256 verified$/m,
    );
    assertMatch(stderr, /^No such file: missing$/m);
    assertEquals(code, 1); // one get failed
    assertEquals(
      await Deno.readTextFile(`${dir}/downloads/notes.txt`),
      "hello file",
    );
  });
});

Deno.test("client one-shot: a request from the command line, its reply, its outcome", async (t) => {
  await withServerProgram([], async (server, dir) => {
    const once = (...args: string[]) =>
      runClient(["--port", String(server.port), ...args], "", dir);
    const downloads = () =>
      [...Deno.readDirSync(`${dir}/downloads`)].map((e) => e.name).sort();
    await t.step("status: the reply alone on stdout, exit 0", async () => {
      const { code, stdout, stderr } = await once("status");
      assertEquals(code, 0);
      assertMatch(stdout, /^Client +Address +Connected/);
      assertMatch(stdout, /^Client01 +127\.0\.0\.1:\d+ /m);
      assertEquals(stderr, "");
      // It leaves as exit does.
      await server.stdout.waitFor(
        logLine("DISCONNECTED", "Client01 .*\\(left with exit\\)"),
      );
    });
    await t.step(
      "help lists the commands, with no server needed, exit 0",
      async () => {
        const { code, stdout } = await runClient(["--port", "1", "help"], "");
        assertEquals(code, 0);
        assertMatch(stdout, /^ {2}status {7}/m);
        assertMatch(stdout, /^ {2}get <name> {3}/m);
      },
    );
    await t.step("words after the flags are one message", async () => {
      const { code, stdout } = await once("hello", "world");
      assertEquals(code, 0);
      assertEquals(stdout, "hello worldACK\n");
    });
    await t.step("a refusal goes to stderr and exits 1", async () => {
      const { code, stdout, stderr } = await once("get", "nope.txt");
      assertEquals(code, 1);
      assertEquals(stdout, "");
      assertEquals(stderr, "No such file: nope.txt\n");
    });
    await t.step("get saves; again numbers; --overwrite replaces", async () => {
      for (const args of [[], [], ["--overwrite"]]) {
        const { code, stdout, stderr } = await once(
          "get",
          "notes.txt",
          ...args,
        );
        assertEquals(code, 0);
        assertEquals(stdout, "");
        assertMatch(stderr, /^Saved notes(?: \(1\))?\.txt \(10 B\) in /);
      }
      assertEquals(downloads(), ["notes (1).txt", "notes.txt"]);
      assertEquals(
        await Deno.readTextFile(`${dir}/downloads/notes.txt`),
        "hello file",
      );
    });
    await t.step(
      "-o saves as the path given, and replaces only with --overwrite",
      async () => {
        const path = "downloads/copy.txt";
        let run = await once("get", "notes.txt", "-o", path);
        assertEquals(run.code, 0);
        assertMatch(run.stderr, /^Saved downloads\/copy\.txt \(10 B\)/);
        run = await once("get", "notes.txt", "--output", path);
        assertEquals(run.code, 1);
        assertEquals(
          run.stderr,
          `error: ${path} already exists; add --overwrite to replace it\n`,
        );
        await Deno.writeTextFile(`${dir}/${path}`, "old");
        run = await once("get", "notes.txt", "-o", path, "--overwrite");
        assertEquals(run.code, 0);
        assertEquals(await Deno.readTextFile(`${dir}/${path}`), "hello file");
        assertEquals(downloads(), ["copy.txt", "notes (1).txt", "notes.txt"]);
      },
    );
    await t.step("-o goes with a one-shot get only", async () => {
      for (const args of [["status", "-o", "x"], ["-o", "x"]]) {
        const { code, stderr } = await once(...args);
        assertEquals(code, 2);
        assertMatch(
          stderr,
          /^error: --output goes with a one-shot get: deno task client get NAME -o FILE\n/,
        );
      }
    });
  });
});

Deno.test("client one-shot against a server that goes away or closes: one line, the right code, no trace", async (t) => {
  const runAgainst = async (
    script: (conn: Deno.TcpConn) => Promise<void>,
    args: string[],
  ) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serving = serveOnce(listener, script);
    try {
      return await runClient(
        ["--port", String(listener.addr.port), ...args],
        "",
      );
    } finally {
      listener.close();
      await within(serving, "the fake server to finish");
    }
  };
  await t.step(
    "the reply, then the connection closed: done, exit 0",
    async () => {
      const run = await runAgainst(
        (conn) =>
          sendReplies(conn, (out) => out.line(COMMANDS.noop.code, "OK")),
        ["noop"],
      );
      assertEquals(run, { code: 0, stdout: "OK\n", stderr: "" });
    },
  );
  await t.step(
    "the reply, then 421: what was asked is done, exit 0",
    async () => {
      const run = await runAgainst(
        (conn) =>
          sendReplies(conn, (out) => {
            out.echo(encoder.encode("hi"), 0, 2);
            out.closing({ kind: "shutdown" });
          }),
        ["hi"],
      );
      assertEquals(run, { code: 0, stdout: "hiACK\n", stderr: "" });
    },
  );
  await t.step("a line break inside the words: a usage error", async () => {
    const run = await runClient(["status\nexit"], "");
    assertEquals(run.code, 2);
    assertEquals(
      run.stderr,
      "error: A request is one line: its words cannot hold a line break\nRun with --help for usage.\n",
    );
  });
});

Deno.test("client says why when the server answers its first line with 421", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    using conn = await listener.accept();
    await sendReplies(conn, (out) => {
      out.greeting("Client01");
      out.closing({ kind: "shutdown" });
    });
    await conn.read(new Uint8Array(64)).catch(() => null);
  })();
  try {
    const run = await runClient(
      ["--port", String(listener.addr.port), "status"],
      "",
    );
    assertEquals(run, {
      code: 1,
      stdout: "",
      stderr: "error: Server is shutting down\n",
    });
  } finally {
    listener.close();
    await within(serving, "the fake server to finish");
  }
});

Deno.test("client whose stdout reader has gone ends quietly, as after SIGPIPE", async () => {
  await withServerProgram([], async (server, dir) => {
    const child = await spawnClient(["--port", String(server.port)], dir);
    // Nobody reads what it prints from now on.
    await child.stdout.cancel();
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode("status\nstatus\nstatus\n"));
    await writer.close();
    const { code, stderr } = await within(child.output(), "the client to exit");
    assertEquals(code, 141);
    assertEquals(decoder.decode(stderr), "");
  });
});

Deno.test("client -o naming a folder saves in it under the file's name", async () => {
  await withServerProgram([], async ({ port }, dir) => {
    await Deno.mkdir(`${dir}/downloads/sub`, { recursive: true });
    for (const target of ["downloads/sub", "downloads/sub/"]) {
      const run = await runClient(
        ["--port", String(port), "get", "notes.txt", "-o", target],
        "",
        dir,
      );
      assertEquals(run.code, 0, run.stderr);
    }
    assertEquals(
      [...Deno.readDirSync(`${dir}/downloads/sub`)].map((e) => e.name).sort(),
      ["notes (1).txt", "notes.txt"],
    );
    // A file elsewhere: the folder's permission is checked before connecting.
    const run = await runClient(
      ["--port", String(port), "get", "notes.txt", "-o", "elsewhere/x.txt"],
      "",
      dir,
    );
    assertEquals([run.code, run.stdout], [1, ""]);
    assertMatch(
      run.stderr,
      /^error: No permission to save downloads in elsewhere; run: deno run --allow-net --allow-read=\.\/downloads,\S+,elsewhere --allow-write=\.\/downloads,\S+,elsewhere .* client\.ts --port \d+ get notes\.txt -o elsewhere\/x\.txt\n$/,
    );
  });
});

Deno.test("client says the server is full and exits non-zero", async () => {
  await withServerProgram(["--max-clients", "1"], async ({ port }, dir) => {
    const { client } = await RawClient.greeted(port);
    using _ = client;
    // A client that has made a request keeps its slot.
    await client.request("hello");
    const { code, stdout, stderr } = await runClient(
      ["--port", String(port)],
      "hello\n",
      dir,
    );
    assertEquals(code, 1);
    assertEquals(stdout, "");
    assertEquals(
      stderr,
      "error: Server is full: 1 of 1 client connected; try again later\n",
    );
  });
});

Deno.test("client gets in against three silent hogs by speaking at once", async () => {
  await withTempDir(async (dir) => {
    // Hogs are pushed out as soon as they are, for this test.
    await using t = await startServer({ timings: { silentGraceMs: 0 } });
    const hogs = [];
    try {
      for (let i = 0; i < 3; i++) {
        hogs.push((await RawClient.greeted(t.port)).client);
      }
      const { code, stdout } = await runClient(
        ["--port", String(t.port)],
        "hello\n",
        dir,
      );
      assertEquals(code, 0);
      assertEquals(stdout, "Connected as Client04\nhelloACK\n");
      assertEquals((await hogs[0].reply()).code, 421);
    } finally {
      for (const hog of hogs) hog.close();
    }
  });
});

Deno.test("client says at once that a foreign server is not an ackline server", async () => {
  // As course servers of this kind do: a greeting with no code and no line
  // end, then silence.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    using conn = await listener.accept();
    await conn.write(encoder.encode("Welcome to the server! You are client 1"));
    await conn.read(new Uint8Array(64)).catch(() => null); // until it leaves
  })();
  try {
    const port = listener.addr.port;
    const { code, stderr } = await runClient(["--port", String(port)], "");
    assertEquals(code, 1);
    assertEquals(
      stderr,
      `error: 127.0.0.1:${port} is not an ackline server; it sent: Welcome to the server! You are client 1; to talk to it as the course's clients do, run: deno task client --plain --port ${port}\n`,
    );
  } finally {
    listener.close();
    await within(serving, "the foreign server to finish");
  }
});

Deno.test("client gives up on a reply line that never ends, with one line and exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveOnce(listener, async (conn) => {
    await send(conn, "250 ");
    const chunk = new Uint8Array(1 << 20).fill(0x79);
    for (;;) await send(conn, chunk);
  });
  try {
    const { code, stdout, stderr } = await runClient(
      ["--port", String(listener.addr.port), "hello"],
      "",
    );
    assertEquals(code, 1);
    assertEquals(stdout, "");
    assertEquals(
      stderr,
      `error: Reply line is longer than ${MAX_REPLY_LINE_BYTES} bytes\n`,
    );
  } finally {
    listener.close();
    await within(serving, "the fake server to finish");
  }
});

Deno.test("client gives the exact command when it may not save in its downloads folder, and that command works", async () => {
  const elsewhere = await Deno.makeTempDir({ prefix: "ackline-e2e-dl-" });
  try {
    // Checked before connecting: no server is needed to hear it.
    const args = ["--downloads", `${elsewhere}/saved`, "--port", "1"];
    const { code, stderr } = await runClient(args, "", elsewhere);
    assertEquals(code, 1);
    const match =
      /^error: No permission to save downloads in (\S+); run: (deno run .*)\n$/
        .exec(stderr);
    assert(match, stderr);
    assertEquals(match[1], `${elsewhere}/saved`);
    const suggested = match[2].split(" ");
    const task = (await readTasks()).client;
    const home = { HOME: elsewhere }; // the programs' home in these tests
    assertEquals(
      suggested.filter((word) => word.startsWith("--allow-")),
      permissionFlags(task, home).map((flag) =>
        /^--allow-(read|write)=/.test(flag)
          ? `${flag},${elsewhere}/saved`
          : flag
      ),
    );
    assertEquals(suggested.slice(-args.length), args);
    // Run as printed, from the project folder: it gets past the folder,
    // to the missing server.
    const run = await within(
      new Deno.Command(Deno.execPath(), {
        args: [
          suggested[1],
          "--config",
          `${ROOT}deno.json`,
          ...suggested.slice(2),
        ],
        cwd: ROOT,
        env: programEnv({ cwd: elsewhere }),
        stdin: "null",
      }).output(),
      "the suggested command to end",
    );
    assertEquals(
      new TextDecoder().decode(run.stderr),
      "error: Cannot connect to 127.0.0.1:1: connection refused (is the server running?)\n",
    );
    assertEquals((await Deno.stat(`${elsewhere}/saved`)).isDirectory, true);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
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
  await withServerProgram([], async (server, dir) => {
    const child = await spawnClient(["--port", String(server.port)], dir);
    const stdout = new Output(child.stdout);
    const stderr = new Output(child.stderr);
    try {
      await stdout.waitFor(/^Connected as Client01$/);
      server.child.kill("SIGTERM");
      const { code } = await within(child.status, "the client to exit");
      assertEquals(code, 1);
    } finally {
      await child.stdin.close().catch(() => {});
      await within(Promise.all([stdout.done, stderr.done]), "its output");
    }
    assertEquals(stderr.text, "error: Server is shutting down\n");
  });
});

Deno.test("client rejects bad command lines with one line and exit code 2", async (t) => {
  const cases: [string[], string][] = [
    [["--port", "0"], "--port must be an integer from 1 to 65535, got 0"],
    [["--port", "-1"], "--port must be an integer from 1 to 65535, got -1"],
    [
      ["--speed-time", "0"],
      "--speed-time must be an integer from 1 to 86400, got 0",
    ],
    [
      ["--max-size", "lots"],
      "--max-size must be a size such as 500M or 16G (0 for none), got lots",
    ],
    [
      ["--port", "65536"],
      "--port must be an integer from 1 to 65535, got 65536",
    ],
    [
      ["--timeout", "86401"],
      "--timeout must be an integer from 0 to 86400, got 86401",
    ],
    [["--timeout", "x"], "--timeout must be an integer from 0 to 86400, got x"],
    [["--downloads"], "--downloads needs a value"],
    [["--bogus"], "Unknown flag: --bogus"],
    [["get"], "get needs the name of a file: deno task client get NAME"],
    [["get", "-c"], "get needs the name of a file: deno task client get NAME"],
    [
      ["-c", "status"],
      "--continue goes with a one-shot get: deno task client get -c NAME",
    ],
    [
      ["get", "-c", "big.bin", "-o", "-"],
      "--continue keeps a part in a folder, and standard output has none: deno task client get -c NAME -o FILE",
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const { code, stdout, stderr } = await runClient(args, "");
      assertEquals(code, 2);
      assertEquals(stdout, "");
      assertEquals(stderr, `error: ${message}\nRun with --help for usage.\n`);
    });
  }
});

Deno.test("client --help shows every flag with its default, and the commands", async () => {
  const { code, stdout } = await runClient(["--help"], "");
  assertEquals(code, 0);
  for (
    const flag of [
      /--host HOST .*\(default 127\.0\.0\.1\)/,
      /--port PORT .*\(default 12345\)/,
      /--downloads DIR .*\(default \.\/downloads\)/,
      /--timeout SEC [^]*\(default 30\)/,
      /--speed-limit SIZE [^]*--speed-time SEC [^]*\(default 1 KiB for 30 s/,
      /--max-size SIZE [^]*\(default 16 GiB\)/,
      /-o, --output FILE/,
      /--overwrite/,
      /--history FILE [^]*\(default\s+~\/\.ackline_history\)/,
      /--no-history/,
      /-h, --help/,
    ]
  ) {
    assertMatch(stdout, flag);
  }
  // The commands, as `help` at the prompt shows them.
  assert(stdout.includes(`\nAt the prompt:\n${HELP_LINES.join("\n")}\n`));
});

Deno.test("client closes cleanly on end of input and on Ctrl+C", async (t) => {
  await withServerProgram([], async (server, dir) => {
    await t.step("end of input without exit", async () => {
      const { code, stdout } = await runClient(
        ["--port", String(server.port)],
        "hi\n",
        dir,
      );
      assertEquals(code, 0);
      assertEquals(stdout, "Connected as Client01\nhiACK\n");
      await server.stdout.waitFor(disconnected(stdout));
    });
    await t.step("Ctrl+C at the prompt", async () => {
      const child = await spawnClient(["--port", String(server.port)], dir);
      const stdout = new Output(child.stdout);
      const stderr = new Output(child.stderr);
      try {
        await stdout.waitFor(/^Connected as Client\d+$/);
        child.kill("SIGINT");
        const { code } = await within(child.status, "the client to exit");
        assertEquals(code, 130);
      } finally {
        await child.stdin.close().catch(() => {});
        await within(Promise.all([stdout.done, stderr.done]), "its output");
      }
      assertMatch(stdout.text, /^Connected as Client02$/m);
      await server.stdout.waitFor(disconnected(stdout.text));
    });
  });
});

Deno.test("client stopped mid-download keeps no partial file (but with get -c) and exits 128 + signal", async (t) => {
  for (
    const [signal, expected, oneShot, resume] of [
      ["SIGTERM", 143, false, false],
      ["SIGINT", 130, false, false],
      ["SIGINT", 130, true, false],
      ["SIGINT", 130, true, true],
    ] as const
  ) {
    const label = `${signal}${oneShot ? ", one-shot" : ""}${
      resume ? ", get -c" : ""
    }`;
    await t.step(label, async () => {
      const dir = await Deno.makeTempDir({ prefix: "ackline-e2e-cut-" });
      await Deno.mkdir(`${dir}/downloads`);
      // A server that announces a large file, sends a little, then stalls.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const serving = serveOnce(listener, async (conn) => {
        await sendReplies(
          conn,
          (out) =>
            out.fileHeader(
              1 << 30,
              "big.bin",
              resume ? { version: "v1", offset: 0 } : undefined,
            ),
        );
        await send(conn, new Uint8Array(64 * 1024));
        await conn.read(new Uint8Array(16)).catch(() => null); // until it leaves
      });
      const watcher = Deno.watchFs(`${dir}/downloads`);
      try {
        const port = ["--port", String(listener.addr.port)];
        const get = resume ? ["get", "-c", "big.bin"] : ["get", "big.bin"];
        const child = await spawnClient(
          oneShot ? [...port, ...get] : port,
          dir,
        );
        const writer = child.stdin.getWriter();
        if (!oneShot) await writer.write(encoder.encode("get big.bin\n"));
        // Once the partial file exists (a kept part: once bytes are in
        // it), the download is under way.
        const under = resume ? "modify" : "create";
        await within(
          (async () => {
            for await (const event of watcher) {
              if (event.kind === under) return;
            }
          })(),
          "the partial file",
        );
        child.kill(signal);
        await writer.close().catch(() => {});
        const { code, stderr } = await within(
          child.output(),
          "the client to exit",
        );
        assertEquals(code, expected);
        const left = [...Deno.readDirSync(`${dir}/downloads`)];
        if (resume) {
          // What arrived is kept, written out to the last byte.
          const part = keptName("big.bin", nameTag("big.bin"), "v1");
          assertEquals(left.map((entry) => entry.name), [part]);
          const { size } = Deno.statSync(`${dir}/downloads/${part}`);
          assert(size > 0 && size <= 64 * 1024, `kept ${size}`);
        } else {
          assertEquals(left, []);
        }
        if (oneShot) {
          // Said in words, not only by the exit code.
          assertEquals(
            decoder.decode(stderr),
            resume
              ? "Download of big.bin stopped; what arrived is kept: run the same command again to go on from there\n"
              : "Download of big.bin cancelled; nothing was kept\n",
          );
        }
      } finally {
        watcher.close();
        listener.close();
        await within(serving, "the fake server to finish");
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("Ctrl+C on the server with clients idle and downloading: all told, all recorded, exit 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ackline-e2e-stop-" });
  try {
    await Deno.mkdir(`${dir}/files`);
    await writeContent(`${dir}/files/big.bin`, { zeros: 64 << 20 });
    await using server = await startServerProgram({ cwd: dir });
    const idle = await RawClient.greeted(server.port);
    using _i = idle.client;
    const downloading = await RawClient.greeted(server.port);
    using _d = downloading.client;
    await downloading.client.send("get big.bin");
    assertEquals((await downloading.client.reply()).code, 150);
    await downloading.client.payload(1024); // then stop reading: mid-transfer
    server.child.kill("SIGINT");
    assertEquals(await idle.client.reply(), {
      code: 421,
      lines: ["Server is shutting down"],
    });
    await idle.client.closed();
    await downloading.client.closed(); // cut: nothing can be said mid-payload
    idle.client.close();
    downloading.client.close();
    // It exits on its own once both are gone: no second signal needed.
    const { code } = await within(server.child.status, "the server to exit");
    assertEquals(code, 0);
    for (const { name } of [idle, downloading]) {
      assertMatch(
        server.stdout.text,
        new RegExp(`^${LOG_TIME}\\[DISCONNECTED\\] ${name} at `, "m"),
      );
    }
    assertMatch(server.stdout.text, logLine("SERVER", "Stopped", "m"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--max-time gives up on a one-shot request whose reply trickles without end", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // A line every 100 ms: never quiet long enough for --timeout.
  const serving = serveOnce(listener, async (conn) => {
    for (let i = 0;; i++) {
      await send(conn, `211-line ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  try {
    const { code, stderr } = await runClient(
      ["--port", String(listener.addr.port), "--max-time", "1", "status"],
      "",
    );
    assertEquals(code, 1);
    assertMatch(
      stderr,
      /error: status not done after 1 s \(--max-time\); gave up\n$/,
    );
  } finally {
    listener.close();
    await within(serving, "the fake server to finish");
  }
});

Deno.test("--max-time gives up on a trickling download, and keeps nothing of it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = serveOnce(listener, async (conn) => {
    await sendReplies(conn, (out) => out.fileHeader(1_000_000, "slow.bin"));
    for (;;) {
      await send(conn, "x".repeat(1000));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  try {
    await withTempDir(async (dir) => {
      const { code, stderr } = await runClient(
        [
          "--port",
          String(listener.addr.port),
          "--max-time",
          "1",
          "get",
          "slow.bin",
        ],
        "",
        dir,
      );
      assertEquals(code, 1);
      assertMatch(stderr, /not done after 1 s \(--max-time\); gave up\n$/);
      assertEquals(await listDir(`${dir}/downloads`), []);
    });
  } finally {
    listener.close();
    await within(serving, "the fake server to finish");
  }
});

Deno.test("--max-time goes with a one-shot request only", async () => {
  const { code, stderr } = await runClient(["--max-time", "5"], "");
  assertEquals(code, 2);
  assertMatch(stderr, /--max-time goes with a one-shot request/);
});

Deno.test("client get -o - writes the file to standard output alone, and says so on stderr", async () => {
  await withServerProgram([], async (server, dir) => {
    const { code, stdout, stderr } = await runClient(
      ["--port", String(server.port), "get", "notes.txt", "-o", "-"],
      "",
      dir,
    );
    assertEquals(code, 0, stderr);
    assertEquals(stdout, "hello file");
    assertMatch(
      stderr,
      /^Wrote notes\.txt \(10 B\) to standard output in \d[\d.]* m?s, SHA-256 verified\n$/,
    );
    // Nothing was made in the downloads folder.
    assertEquals(await listDir(dir), ["files"]);
  });
});

/**
 * On a full server (`--max-clients 1`, its slot held), with the program
 * stopped so that all of them wait in its backlog and come at once:
 * `before` silent connections, a speaker whose `hello` is sent before the
 * rest connect, and `after` silent ones. Once `settled` has seen the room
 * sort them out and the slot frees, the speaker has it.
 */
async function speakerInBurst(
  { before, after }: { before: number; after: number },
  settled: (server: RunningServer, silent: RawClient[]) => Promise<void>,
): Promise<void> {
  await withServerProgram(["--max-clients", "1"], async (server) => {
    const { client: holder } = await RawClient.greeted(server.port);
    using _ = holder;
    assertEquals((await holder.request("here")).code, 250);
    const silent: RawClient[] = [];
    const connectSilent = async (count: number) => {
      for (let i = 0; i < count; i++) {
        silent.push(await RawClient.connect(server.port));
      }
    };
    let speaker: RawClient | undefined;
    server.child.kill("SIGSTOP");
    try {
      await connectSilent(before);
      speaker = await RawClient.connect(server.port);
      await speaker.send("hello");
      await connectSilent(after);
    } finally {
      server.child.kill("SIGCONT");
    }
    try {
      await settled(server, silent);
      holder.close();
      assertEquals((await speaker.reply()).lines, ["Connected as Client02"]);
      assertEquals((await speaker.reply()).lines, ["helloACK"]);
    } finally {
      speaker.close();
      for (const client of silent) client.close();
    }
  });
}

Deno.test("a burst of silent newcomers does not push out one whose line came before them", async () => {
  const burst = 3 * MAX_WAITING;
  await speakerInBurst({ before: 0, after: burst }, async (server) => {
    // The room keeps the speaker; all but as many silent ones as fit
    // beside it are turned away.
    await server.stderr.waitForCount(
      logLine("REJECTED", "127\\.0\\.0\\.1:\\d+: server full \\(1 of 1\\)"),
      burst - (MAX_WAITING - 1),
    );
  });
});

Deno.test("a newcomer that speaks at once is let in after a burst of silent ones that fill the waiting room", async () => {
  await speakerInBurst({ before: MAX_WAITING, after: 0 }, async (_, silent) => {
    // The silent one waiting longest leaves for it.
    assertEquals((await silent[0].reply()).code, 421);
  });
});

Deno.test("a burst of connections already gone does not push out a newcomer yet to speak", async () => {
  await withServerProgram(["--max-clients", "1"], async (server) => {
    const { client: holder } = await RawClient.greeted(server.port);
    using _ = holder;
    // In the waiting room, and not speaking yet (as a client slow to).
    using newcomer = await RawClient.connect(server.port);
    assertEquals((await holder.request("here")).code, 250);
    // Stopped, the server accepts no one: the burst waits in the backlog,
    // every one of it closed before the server sees it.
    server.child.kill("SIGSTOP");
    try {
      for (let i = 0; i < 3 * MAX_WAITING; i++) {
        (await Deno.connect({ hostname: "127.0.0.1", port: server.port }))
          .close();
      }
    } finally {
      server.child.kill("SIGCONT");
    }
    // The burst is taken in before the newcomer's line: it speaks last.
    assertEquals((await holder.request("after")).code, 250);
    await newcomer.send("hello");
    holder.close();
    assertEquals((await newcomer.reply()).lines, ["Connected as Client02"]);
    assertEquals((await newcomer.reply()).lines, ["helloACK"]);
  });
});
