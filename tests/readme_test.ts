/**
 * README's recipes run as written, in a copy of the project: the scripted
 * examples and the network recipe. Only what must differ here changes: the
 * server listens on a free port (`--port`), and the network's address is
 * this machine's loopback.
 */

import { dirname } from "node:path";
import { NO_OPENSSL } from "../tools/certs.ts";
import {
  logLine,
  programEnv,
  runToEnd,
  spawnServer,
} from "../tools/programs.ts";
import { ROOT } from "../tools/tasks.ts";
import { within } from "../tools/wait.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { copyTree, withTempDir } from "./support/files.ts";

/** What running the tasks needs of the project, as a clone has it. */
const PROJECT = [
  "deno.json",
  "deno.lock",
  "server.ts",
  "client.ts",
  "lib",
  "files",
  "tls",
];

/** The address README's network recipe uses for the server's machine. */
const NETWORK_ADDRESS = "192.168.1.10";

/** The `sh` blocks of README's section titled `title` (a whole heading line). */
async function shellBlocks(title: string): Promise<string[]> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const start = readme.indexOf(`\n${title}\n`);
  assert(start >= 0, `README has no section ${title}`);
  const rest = readme.slice(start + title.length + 2);
  const end = rest.search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((match) => match[1]);
  assert(blocks.length > 0, `README's ${title} has no sh block`);
  return blocks;
}

/** The commands of a block: one a line, a line ending in `\` joined to the next. */
function commandsOf(block: string): string[] {
  return block.replaceAll("\\\n", " ").split("\n")
    .filter((line) => line.trim() !== "");
}

/**
 * The environment README's commands run in, in the copy at `dir`, and no
 * more (no token of the developer's): the copy as home, Deno's cache (see
 * {@linkcode programEnv}), and `deno` found as this Deno.
 */
function shellEnv(dir: string): Record<string, string> {
  return {
    ...programEnv({ cwd: dir }),
    PATH: `${dirname(Deno.execPath())}:/usr/local/bin:/usr/bin:/bin`,
    NO_COLOR: "1",
  };
}

/** Runs one shell command in `cwd`; its exit code and output. */
function shell(
  command: string,
  cwd: string,
  env: Record<string, string>,
  stdin?: string,
) {
  return runToEnd(
    new Deno.Command("bash", {
      args: ["-euc", command],
      cwd,
      env,
      clearEnv: true,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }),
    `${command} to finish`,
    stdin,
  );
}

/**
 * Runs `test` in a fresh copy of the project with a server started by
 * `serverCommand` (a shell command, which names its port and its process
 * in its log), stopped after with the signal its log names.
 */
async function withProject(
  serverCommand: (dir: string) => Promise<string>,
  test: (
    dir: string,
    port: number,
    env: Record<string, string>,
  ) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    for (const entry of PROJECT) {
      await copyTree(`${ROOT}${entry}`, `${dir}/${entry}`);
    }
    const env = shellEnv(dir);
    const command = await serverCommand(dir);
    await using server = await spawnServer(
      new Deno.Command("bash", {
        args: ["-euc", command],
        cwd: dir,
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }),
    );
    const [, pid] = await server.stdout.waitFor(
      logLine(
        "SERVER",
        "Process (\\d+): stop it with Ctrl\\+C, or kill -TERM \\1",
      ),
    );
    try {
      await test(dir, server.port, env);
    } finally {
      Deno.kill(Number(pid), "SIGTERM");
      assertEquals(
        (await within(server.child.status, "the server to stop")).code,
        0,
        server.stderr.text,
      );
    }
  });
}

Deno.test("README: the scripted examples work as written", async () => {
  const [oneShots, piped] = await shellBlocks("### From a script");
  await withProject(
    () => Promise.resolve("deno task server --port 0"),
    async (dir, port, env) => {
      const atPort = (line: string) =>
        line.replace("deno task client", `deno task client --port ${port}`);
      for (const line of commandsOf(oneShots)) {
        const { code, err } = await shell(atPort(line), dir, env);
        assertEquals(code, 0, `${line}: ${err}`);
      }
      const served = await Deno.readTextFile(`${dir}/files/hello.txt`);
      for (const name of ["hello.txt", "latest.txt"]) {
        assertEquals(
          await Deno.readTextFile(`${dir}/downloads/${name}`),
          served,
        );
      }
      const numbered = await Deno.stat(`${dir}/downloads/hello (1).txt`)
        .then(() => true, () => false);
      assert(!numbered, "--overwrite made a second copy");
      const [line] = commandsOf(piped);
      const { code, out, err } = await shell(atPort(line), dir, env);
      assertEquals(code, 0, err);
      assertMatch(out, /^hello worldACK$/m);
      assertMatch(out, /^Client\d\d +127\.0\.0\.1:\d+ /m);
      assertEquals(
        await Deno.readTextFile(`${dir}/downloads/hello (1).txt`),
        served,
      );
    },
  );
});

const ignore = NO_OPENSSL !== null;

Deno.test({
  name: `README: the network recipe works as written${
    ignore ? ` (ignored: ${NO_OPENSSL})` : ""
  }`,
  ignore,
}, async () => {
  const [serving, joining] = (await shellBlocks("## Serving a network"))
    .map((block) => block.replaceAll(NETWORK_ADDRESS, "127.0.0.1"));
  const commands = commandsOf(serving);
  const last = commands.length - 1;
  assertMatch(commands[last], /^deno task server /);
  await withProject(
    () =>
      Promise.resolve(
        [
          ...commands.slice(0, last),
          // What the handed-out token is, for the student's command.
          'printf %s "$ACKLINE_TOKEN" > token.txt',
          `${commands[last]} --port 0`,
        ].join("\n"),
      ),
    async (dir, port, env) => {
      const token = await Deno.readTextFile(`${dir}/token.txt`);
      const [line] = commandsOf(joining);
      assertMatch(line, /ACKLINE_TOKEN=…/);
      const client = line.replace("…", token)
        .replace("deno task client", `deno task client --port ${port}`);
      const { code, out, err } = await shell(
        client,
        dir,
        env,
        "status\nexit\n",
      );
      assertEquals(code, 0, err);
      assertMatch(out, /^Client01 +127\.0\.0\.1:\d+ .* ackline-client\//m);
      assert(!err.includes(token), "the token was shown");
      assert(!/warn|token goes/i.test(err), err);
    },
  );
});
