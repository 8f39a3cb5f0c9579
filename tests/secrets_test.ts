/**
 * What the programs read once at start, run as their tasks run them: a
 * certificate and key where the tasks may read them, a secret the server
 * would serve, and a token variable a program may not read.
 */

import { makeCertificates, NO_OPENSSL } from "../tools/certs.ts";
import {
  LISTENING,
  logLine,
  programCommand,
  programEnv,
  runToEnd,
  spawnServer,
  startServerProgram,
} from "../tools/programs.ts";
import { CONFIG, permissionFlags, readTasks, ROOT } from "../tools/tasks.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { withTempDir } from "./support/files.ts";

const TOKEN = "secrets-test-token-0123456789abcdef";

/** A project-like folder: `files/notes.txt`, and an empty `tls/`. */
function withProjectDir(test: (dir: string) => Promise<void>) {
  return withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/files`);
    await Deno.mkdir(`${dir}/tls`);
    await Deno.writeTextFile(`${dir}/files/notes.txt`, "hello file");
    await test(dir);
  });
}

/** Runs `command` to its end; its exit code and output as text. */
function run(command: Deno.Command, what: string) {
  return runToEnd(command, what);
}

/**
 * A program of the project run with only `permissions` (fewer than its
 * task's), in `cwd`, with stdin closed and its output piped.
 */
function narrowRun(
  script: string,
  permissions: string[],
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      ...permissions,
      `${ROOT}${script}`,
      ...args,
    ],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** The `deno run` words of a suggested command, unquoted. */
function words(command: string): string[] {
  return command.split(" ").map((word) => word.replace(/^'(.*)'$/, "$1"));
}

const ignore = NO_OPENSSL !== null;
const ignored = ignore ? ` (ignored: ${NO_OPENSSL})` : "";

Deno.test({
  name:
    `a key in the served folder is refused with a move that works; a certificate there is read and the folder still served${ignored}`,
  ignore,
  async fn() {
    const certs = await makeCertificates();
    await withProjectDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/files/cert.pem`, certs.cert);
      await Deno.writeTextFile(`${dir}/files/key.pem`, certs.key);
      await Deno.writeTextFile(`${dir}/tls/ca.pem`, certs.ca);
      const refused = await run(
        await programCommand("server", [
          "--port",
          "0",
          "--tls-cert",
          "files/cert.pem",
          "--tls-key",
          "files/key.pem",
        ], { cwd: dir }),
        "the server to refuse",
      );
      assertEquals(refused.code, 1);
      const match =
        /^error: The TLS key files\/key\.pem is in the folder this server serves, where any client could download it; move it out, for example: (mv .*)\n$/
          .exec(refused.err);
      assert(match, refused.err);
      const moved = await run(
        new Deno.Command("sh", {
          args: ["-c", match[1]],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }),
        "the move",
      );
      assertEquals(moved.code, 0, moved.err);
      await using server = await startServerProgram({
        cwd: dir,
        args: ["--tls-cert", "files/cert.pem", "--tls-key", "tls/key.pem"],
      });
      const listed = await run(
        await programCommand("client", [
          "--port",
          String(server.port),
          "--ca",
          "tls/ca.pem",
          "list",
        ], { cwd: dir }),
        "the client's list",
      );
      assertEquals(listed.code, 0, listed.err);
      assertMatch(listed.out, /^cert\.pem /m);
      assertMatch(listed.out, /^notes\.txt /m);
    });
  },
});

Deno.test("a server that may not read ACKLINE_TOKEN says so with the command that may, and that command takes the token", async () => {
  await withProjectDir(async (dir) => {
    const env = programEnv({
      cwd: dir,
      env: { NO_COLOR: "1", ACKLINE_TOKEN: TOKEN },
    });
    await using unread = await spawnServer(
      narrowRun(
        "server.ts",
        ["--allow-net=127.0.0.1", "--allow-read=./files"],
        ["--port", "0"],
        dir,
        env,
      ),
    );
    await unread.stdout.waitFor(
      logLine("SERVER", "Access: .*; no token, no TLS"),
    );
    const [, suggested] = await unread.stderr.waitFor(
      logLine(
        "WARNING",
        "This server may not read ACKLINE_TOKEN, so it takes no token from it; to let it, run: (deno run .*)",
      ),
    );
    const command = words(suggested);
    assertEquals(
      command.filter((word) => word.startsWith("--allow-")),
      permissionFlags((await readTasks()).server).map((flag) =>
        flag.startsWith("--allow-read=") ? "--allow-read=./files" : flag
      ),
    );
    assertEquals(command.slice(-3), ["server.ts", "--port", "0"]);
    await using server = await spawnServer(
      new Deno.Command(Deno.execPath(), {
        args: [command[1], "--config", CONFIG, ...command.slice(2)],
        cwd: ROOT,
        env,
        stdout: "piped",
        stderr: "piped",
      }),
      LISTENING,
    );
    await server.stdout.waitFor(
      logLine("SERVER", "Access: .*; token required, no TLS"),
    );
  });
});

Deno.test("a client that may not read ACKLINE_TOKEN says so with the command that may", async () => {
  await withProjectDir(async (dir) => {
    await using server = await startServerProgram({ cwd: dir });
    const { code, err } = await run(
      narrowRun(
        "client.ts",
        ["--allow-net=127.0.0.1"],
        ["--port", String(server.port), "time"],
        dir,
        programEnv({
          cwd: dir,
          env: { NO_COLOR: "1", ACKLINE_TOKEN: TOKEN },
        }),
      ),
      "the client",
    );
    assertEquals(code, 0, err);
    const match =
      /^This client may not read ACKLINE_TOKEN, so it sends no token from it; to let it, run: (deno run .*)$/m
        .exec(err);
    assert(match, err);
    const command = words(match[1]);
    assertEquals(
      command.filter((word) => word.startsWith("--allow-env=")),
      ["--allow-env=HOME,ACKLINE_TOKEN"],
    );
    assertEquals(command.slice(-3), ["--port", String(server.port), "time"]);
  });
});
