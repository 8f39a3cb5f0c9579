/**
 * The server as an operator runs it: the program with its task's
 * permissions, its log read as text and as JSON, its start-up checks.
 */

import { permissionFlags, readTasks, ROOT } from "../tools/tasks.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import {
  LISTENING,
  LOG_TIME,
  logLine,
  programArgs,
  programCommand,
  programEnv,
  type RunningServer,
  spawnProgram,
  spawnServer,
  startServerProgram,
} from "../tools/programs.ts";
import { writeContent } from "./support/files.ts";
import { TOKEN_RULE } from "../lib/wire/mod.ts";
import { RawClient } from "./support/raw_client.ts";
import { within } from "../tools/wait.ts";

/** A folder with `./files` holding `notes.txt`, for one test. */
async function withServerDir(test: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "ackline-op-" });
  try {
    await Deno.mkdir(`${dir}/files`);
    await Deno.writeTextFile(`${dir}/files/notes.txt`, "hello file");
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One client's session: a message, a download, a refusal, `exit`. */
async function session(port: number, message = "hello world") {
  const { client } = await RawClient.greeted(port);
  using _ = client;
  await client.request(message);
  await client.send("get notes.txt");
  assertEquals((await client.reply()).code, 150);
  await client.payload();
  assertEquals((await client.reply()).code, 226);
  await client.request("get nope.txt");
  await client.request("exit");
  await client.closed();
}

/** Stops the server with SIGTERM; its stdout and stderr lines. */
async function stopped(server: RunningServer) {
  assertEquals(await server.stop("SIGTERM"), 0);
  return outputLines(server);
}

/** Waits for the server, already told to stop, to exit with 0; its lines. */
async function exited(server: RunningServer) {
  const { code } = await within(server.child.status, "the server to exit");
  assertEquals(code, 0);
  await within(
    Promise.all([server.stdout.done, server.stderr.done]),
    "its output",
  );
  return outputLines(server);
}

/** The server's stdout and stderr lines so far. */
function outputLines(server: RunningServer) {
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");
  return { out: lines(server.stdout.text), err: lines(server.stderr.text) };
}

Deno.test("the text log: every line timed, a banner of facts, how long and why each client left, how much each download sent", async () => {
  await withServerDir(async (dir) => {
    const server = await startServerProgram({ cwd: dir });
    await session(server.port);
    await server.stdout.waitFor(logLine("DISCONNECTED", "Client01 .*"));
    const { out, err } = await stopped(server);
    assertEquals(err, []);
    for (const line of out) assertMatch(line, new RegExp(`^${LOG_TIME}\\[`));
    const pid = server.child.pid;
    const expected = [
      logLine("SERVER", `Listening on 127\\.0\\.0\\.1:${server.port}`),
      logLine("SERVER", "Serving \\./files: 1 file, 10 B"),
      logLine(
        "SERVER",
        "Limits: 3 clients at once, lines up to 64 KiB, idle timeout 300 s, status lists 1000 that left",
      ),
      logLine(
        "SERVER",
        "Access: this machine only \\(loopback\\); no token, no TLS",
      ),
      logLine(
        "SERVER",
        `Process ${pid}: stop it with Ctrl\\+C, or kill -TERM ${pid}`,
      ),
      logLine("NEW CONNECTION", "Client01 connected from 127\\.0\\.0\\.1:\\d+"),
      logLine(
        "DOWNLOAD",
        "Client01 got notes\\.txt \\(10 B in \\d+ ms, [\\d.]+ [kM]?B/s\\)",
      ),
      logLine("DOWNLOAD", "Client01 refused: No such file: nope\\.txt"),
      logLine(
        "DISCONNECTED",
        `Client01 at ${LOG_TIME}after \\d+ ms \\(left with exit\\)`,
      ),
      logLine("SERVER", "Shutting down"),
      logLine("SERVER", "Stopped"),
    ];
    assertEquals(out.length, expected.length, out.join("\n"));
    out.forEach((line, i) => assertMatch(line, expected[i]));
  });
});

Deno.test("the JSON log: one object a line with its facts; warnings on stderr", async () => {
  await withServerDir(async (dir) => {
    const server = await startServerProgram({
      cwd: dir,
      args: ["--log-format", "json", "--max-clients", "1"],
      listening: /"message":"Listening on [^"]+:(\d+)"/,
    });
    const { client: holder } = await RawClient.greeted(server.port);
    using _ = holder;
    await holder.request("noop"); // a client that made a request stays
    // A second client finds the server full: a warning.
    const turnedAway = await RawClient.connect(server.port);
    using _t = turnedAway;
    await turnedAway.send("noop");
    assertEquals((await turnedAway.reply()).code, 421);
    await turnedAway.closed();
    turnedAway.close();
    holder.close();
    await server.stdout.waitFor(/"kind":"DISCONNECTED"/);
    await session(server.port);
    await server.stdout.waitFor(/"reason":"left with exit"/);
    const { out, err } = await stopped(server);
    const records = out.map((line) => JSON.parse(line));
    const warnings = err.map((line) => JSON.parse(line));
    for (const record of [...records, ...warnings]) {
      assertMatch(
        record.time,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/,
      );
      assertEquals(typeof record.message, "string");
    }
    assert(records.every((r) => r.level === "info"), out.join("\n"));
    assertEquals(warnings.map((w) => [w.level, w.kind, w.reason]), [
      ["warn", "REJECTED", "server full"],
    ]);
    const find = (kind: string, client: string) =>
      records.filter((r) => r.kind === kind && r.client === client);
    assertEquals(records[0].port, server.port);
    assertEquals(
      records.find((r) => r.pid !== undefined)?.pid,
      server.child.pid,
    );
    const [sent, refused] = find("DOWNLOAD", "Client02");
    assertEquals(
      [sent.outcome, sent.file, sent.bytes, typeof sent.durationMs],
      ["sent", "notes.txt", 10, "number"],
    );
    assertEquals([refused.outcome, refused.reason], [
      "refused",
      "No such file: nope.txt",
    ]);
    const [left] = find("DISCONNECTED", "Client02");
    assertEquals(left.reason, "left with exit");
    assert(left.durationMs >= 0, String(left.durationMs));
    assertEquals(
      find("DISCONNECTED", "Client01")[0].reason,
      "closed by the client",
    );
  });
});

Deno.test("--verbose logs every request, and of a message only its size", async () => {
  await withServerDir(async (dir) => {
    const server = await startServerProgram({ cwd: dir, args: ["--verbose"] });
    await session(server.port, "secret words");
    await server.stdout.waitFor(logLine("DISCONNECTED", "Client01 .*"));
    const { out } = await stopped(server);
    const requests = out.filter((line) => line.includes("[REQUEST]"))
      .map((line) => line.replace(/^.*\[REQUEST\] /, ""));
    assertEquals(requests, [
      "Client01 sent a message of 12 bytes",
      "Client01 get notes.txt",
      "Client01 get nope.txt",
      "Client01 exit",
    ]);
    assert(!out.some((line) => line.includes("secret")));
  });
});

Deno.test("--quiet logs only warnings and errors", async () => {
  await withServerDir(async (dir) => {
    // Quiet says nothing at start either, so the test picks the port.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const command = await programCommand(
      "server",
      ["--port", String(port), "--quiet", "--max-clients", "1"],
      { cwd: dir, env: { NO_COLOR: "1" } },
    );
    const server = { ...spawnProgram(command), port };
    try {
      const { client: holder } = await firstGreeting(port);
      using _ = holder;
      await holder.request("noop"); // a client that made a request stays
      const turnedAway = await RawClient.connect(port);
      using _t = turnedAway;
      await turnedAway.send("noop");
      assertEquals((await turnedAway.reply()).code, 421);
      await server.stderr.waitFor(logLine("REJECTED", ".*server full.*"));
    } finally {
      const { out, err } = await stopped(server);
      assertEquals(out, []);
      assertEquals(err.length, 1, err.join("\n"));
    }
  });
});

/**
 * Greets the first client of a server that says nothing when it listens
 * (quiet): tries until the port takes a connection.
 */
async function firstGreeting(port: number) {
  return await within(
    (async () => {
      for (;;) {
        try {
          return await RawClient.greeted(port);
        } catch (error) {
          if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
          // Not listening yet: the program is still starting.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })(),
    "the quiet server to listen",
  );
}

Deno.test("a download cut by shutdown is logged as cut, and no error", async () => {
  await withServerDir(async (dir) => {
    await writeContent(`${dir}/files/big.bin`, { zeros: 64 << 20 });
    const server = await startServerProgram({ cwd: dir });
    const { client } = await RawClient.greeted(server.port);
    using _ = client;
    await client.send("get big.bin");
    assertEquals((await client.reply()).code, 150);
    await client.payload(1024); // then stop reading: mid-transfer
    server.child.kill("SIGTERM");
    await server.stdout.waitFor(logLine("DISCONNECTED", ".*"));
    client.close(); // so the server need not wait out its grace
    const { out, err } = await exited(server);
    assertEquals(err, []);
    assertMatch(
      out.join("\n"),
      logLine(
        "DOWNLOAD",
        "Client01 did not get big\\.bin: cut after .* of 64 MiB in .*",
        "m",
      ),
    );
    assertMatch(
      out.join("\n"),
      logLine("DISCONNECTED", ".*\\(server shutting down\\)", "m"),
    );
  });
});

Deno.test("a files folder the server may not read gets the exact command that serves it, and that command works", async () => {
  await withServerDir(async (dir) => {
    const outside = await Deno.makeTempDir({ prefix: "ackline-op-outside-" });
    try {
      await Deno.writeTextFile(`${outside}/a.txt`, "a");
      const args = ["--port", "0", "--files", outside];
      const command = await programCommand("server", args, { cwd: dir });
      const { code, stdout, stderr } = await within(
        command.output(),
        "the server to refuse",
      );
      assertEquals(code, 1);
      assertEquals(new TextDecoder().decode(stdout), "");
      const text = new TextDecoder().decode(stderr);
      const match =
        /^error: This server may read only its files folder, and not (\S+) \(so it cannot see whether that is there\); to serve \1, run: (deno run .*)\n$/
          .exec(text);
      assert(match, text);
      const suggested = match[2].split(" ").map((word) =>
        word.replace(/^'(.*)'$/, "$1")
      );
      const task = (await readTasks()).server;
      assertEquals(
        suggested.filter((w) => w.startsWith("--allow-")),
        permissionFlags(task).map((flag) =>
          flag.startsWith("--allow-read=") ? `--allow-read=${outside}` : flag
        ),
      );
      // Run as suggested, from the project folder: it serves that folder.
      await using server = await spawnServer(
        new Deno.Command(Deno.execPath(), {
          args: [
            suggested[1],
            "--config",
            `${ROOT}deno.json`,
            ...suggested.slice(2),
          ],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }),
        LISTENING,
      );
      await server.stdout.waitFor(logLine("SERVER", ".*: 1 file, 1 B"));
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("a token in ACKLINE_TOKEN: the server wants it, the client gives it, and a client without it is told", async () => {
  await withServerDir(async (dir) => {
    const token = "op-test-token-0123456789";
    const command = await programCommand("server", ["--port", "0"], {
      cwd: dir,
      env: { NO_COLOR: "1", ACKLINE_TOKEN: token },
    });
    await using server = await spawnServer(command);
    await server.stdout.waitFor(
      logLine(
        "SERVER",
        "Access: this machine only \\(loopback\\); token required, no TLS",
      ),
    );
    const client = async (env: Record<string, string>) => {
      const run = await programCommand(
        "client",
        ["--port", String(server.port), "status"],
        { cwd: dir, env },
      );
      const { code, stdout, stderr } = await within(run.output(), "the client");
      const text = new TextDecoder();
      return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
    };
    const allowed = await client({ ACKLINE_TOKEN: token });
    assertEquals(allowed.code, 0, allowed.stderr);
    assertMatch(allowed.stdout, /^Client01 .* ackline-client\/\S+$/m);
    const refused = await client({});
    assertEquals(refused, {
      code: 1,
      stdout: "",
      stderr:
        "error: Client02: the server wants a token; set ACKLINE_TOKEN or use --token-file\n",
    });
    // A token the server could never take is refused by the client too,
    // in the same words, before it connects.
    const weak = await client({ ACKLINE_TOKEN: "short" });
    assertEquals(weak, {
      code: 1,
      stdout: "",
      stderr:
        `error: ACKLINE_TOKEN must be ${TOKEN_RULE} (give the token the server was started with)\n`,
    });
    assertEquals(server.stdout.text.match(/\[NEW CONNECTION\]/g)?.length, 2);
    assert(!server.stdout.text.includes(token));
    assert(!server.stderr.text.includes(token));
  });
});

Deno.test("a token the server could be guessed by is refused at start, with how to make one", async () => {
  await withServerDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/token.txt`,
      "has spaces in it, and more\n",
    );
    const start = async (args: string[], env: Record<string, string>) => {
      const command = await programCommand("server", ["--port", "0", ...args], {
        cwd: dir,
        env,
        // The task's permissions, and reading the token file.
        read: ["token.txt"],
      });
      const { code, stderr } = await within(command.output(), "the server");
      return { code, stderr: new TextDecoder().decode(stderr) };
    };
    const advice = "(make one with: openssl rand -hex 32)";
    assertEquals(await start([], { ACKLINE_TOKEN: "short" }), {
      code: 1,
      stderr: `error: ACKLINE_TOKEN must be ${TOKEN_RULE} ${advice}\n`,
    });
    assertEquals(await start(["--token-file", "token.txt"], {}), {
      code: 1,
      stderr: `error: The token in token.txt must be ${TOKEN_RULE} ${advice}\n`,
    });
    // Long enough, but of low variety.
    assertEquals(await start([], { ACKLINE_TOKEN: "weakweakweak0042" }), {
      code: 1,
      stderr: `error: ACKLINE_TOKEN must be ${TOKEN_RULE} ${advice}\n`,
    });
  });
});

Deno.test("an address the task may not listen on gets the exact command that does, and that command works", async () => {
  await withServerDir(async (dir) => {
    // A loopback address of its own, which the task does not name.
    const args = ["--host", "127.0.0.2", "--port", "0"];
    const command = await programCommand("server", args, { cwd: dir });
    const { code, stderr } = await within(command.output(), "the refusal");
    assertEquals(code, 1);
    const text = new TextDecoder().decode(stderr);
    const match =
      /^error: No permission to listen on 127\.0\.0\.2:0; run: (deno run .*)\n$/
        .exec(text);
    assert(match, text);
    const suggested = match[1].split(" ").map((word) =>
      word.replace(/^'(.*)'$/, "$1")
    );
    assert(
      suggested.includes(
        "--allow-net=0.0.0.0,127.0.0.1,[::],[::1],localhost,127.0.0.2",
      ),
    );
    await using server = await spawnServer(
      new Deno.Command(Deno.execPath(), {
        args: [
          suggested[1],
          "--config",
          `${ROOT}deno.json`,
          ...suggested.slice(2),
        ],
        cwd: ROOT, // where the command is for
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }),
      logLine("SERVER", "Listening on 127\\.0\\.0\\.2:(\\d+)"),
    );
    assert(server.port > 0);
  });
});

Deno.test("a log that goes to a pipe has no colours, even with NO_COLOR unset", async () => {
  await withServerDir(async (dir) => {
    const args = await programArgs(
      "server",
      ["--port", "0"],
      programEnv({ cwd: dir }),
    );
    await using server = await spawnServer(
      new Deno.Command(Deno.execPath(), {
        args,
        cwd: dir,
        clearEnv: true,
        env: programEnv({ cwd: dir }),
        stdout: "piped",
        stderr: "piped",
      }),
    );
    await session(server.port);
    const { out } = await stopped(server);
    assert(out.length > 3, out.join("\n"));
    assert(!out.join("\n").includes("\x1b"), out.join("\n"));
  });
});
