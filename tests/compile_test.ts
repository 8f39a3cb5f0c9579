/**
 * The compile task: its arguments always, and a real binary where
 * `deno compile` can fetch the runtime it embeds.
 */

import { compileArgs } from "../tools/compile.ts";
import {
  binaryPermissionFlags,
  permissionFlags,
  PROGRAMS,
  readTasks,
  ROOT,
  runFlags,
  v8Flags,
} from "../tools/tasks.ts";
import { assertEquals, assertStringIncludes } from "./support/assert.ts";
import { programArgs, spawnServer } from "../tools/programs.ts";
import { RawClient } from "./support/raw_client.ts";
import { WAIT_MS } from "../tools/wait.ts";

const tasks = await readTasks();

Deno.test("binaries carry exactly the permissions of their tasks", () => {
  for (const program of PROGRAMS) {
    const args = compileArgs(program, tasks[program], "linux-x64");
    const flags = args.filter((arg) => arg.startsWith("--allow-"));
    assertEquals(flags, binaryPermissionFlags(tasks[program]));
    assertEquals(flags.length > 0, true);
    assertEquals(args.includes("--allow-all") || args.includes("-A"), false);
  }
  assertEquals(
    compileArgs("server", tasks.server, "windows-x64").at(-2),
    "dist/ackline-server-windows-x64.exe",
  );
});

Deno.test("binaries and the programs the tools run carry the V8 flags of their tasks", async () => {
  // The server keeps its young generation small: churn leaves less behind.
  assertEquals(v8Flags(tasks.server), ["--v8-flags=--max-semi-space-size=8"]);
  for (const program of PROGRAMS) {
    const flags = v8Flags(tasks[program]);
    const built = compileArgs(program, tasks[program], "linux-x64");
    assertEquals(built.filter((arg) => arg.startsWith("--v8-flags=")), flags);
    const run = await programArgs(program, [], {});
    assertEquals(run.filter((arg) => arg.startsWith("--v8-flags=")), flags);
  }
  assertEquals(
    runFlags("deno run --v8-flags=--a,--b --allow-net x.ts"),
    ["--allow-net", "--v8-flags=--a,--b"],
  );
});

Deno.test("task flags fill in $HOME; binaries leave out what lies under it", () => {
  const task =
    "deno run --allow-net --allow-read=./d,$HOME/.h --allow-write=$HOME/.h --allow-env=HOME,X x.ts";
  assertEquals(permissionFlags(task, { HOME: "/home/u" }), [
    "--allow-net",
    "--allow-read=./d,/home/u/.h",
    "--allow-write=/home/u/.h",
    "--allow-env=HOME,X",
  ]);
  // A binary is built elsewhere: no home path, nor the access to find it.
  assertEquals(binaryPermissionFlags(task), [
    "--allow-net",
    "--allow-read=./d",
    "--allow-env=X",
  ]);
});

const HOST_TARGETS: Record<string, string> = {
  "x86_64-linux": "linux-x64",
  "aarch64-linux": "linux-arm64",
  "x86_64-darwin": "macos-x64",
  "aarch64-darwin": "macos-arm64",
  "x86_64-windows": "windows-x64",
};

// Try one real build now, so the test below can say why it did not run.
const hostSuffix = HOST_TARGETS[`${Deno.build.arch}-${Deno.build.os}`];
const outDir = await Deno.makeTempDir({ prefix: "ackline-compile-" });
const build = hostSuffix
  ? await new Deno.Command(Deno.execPath(), {
    args: compileArgs("server", tasks.server, hostSuffix, outDir),
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000), // a build that hangs fails
  }).output()
  : null;
const buildError = build ? new TextDecoder().decode(build.stderr) : "";
const unavailable = !hostSuffix
  ? `no binary target for ${Deno.build.arch}-${Deno.build.os}`
  : !build!.success &&
      /Setting up base binary|error sending request|dns error/.test(buildError)
  ? "deno compile cannot download the Deno runtime it embeds (no network)"
  : null;
if (unavailable) await Deno.remove(outDir, { recursive: true });

Deno.test({
  name: `the compiled server runs with its task's permissions${
    unavailable ? ` (ignored: ${unavailable})` : ""
  }`,
  ignore: unavailable !== null,
  async fn() {
    try {
      assertEquals(build!.success, true, buildError);
      const binary = `${outDir}/ackline-server-${hostSuffix}${
        hostSuffix.startsWith("windows") ? ".exe" : ""
      }`;
      const refused = await new Deno.Command(binary, {
        args: ["--port", "0", "--files", outDir],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(WAIT_MS),
      }).output();
      assertEquals(refused.code, 1);
      assertStringIncludes(
        new TextDecoder().decode(refused.stderr),
        "no permission to read it",
      );
      await using server = await spawnServer(
        new Deno.Command(binary, {
          args: ["--port", "0"],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }),
      );
      const { client } = await RawClient.greeted(server.port);
      using _ = client;
      assertEquals(await client.request("hello world"), {
        code: 250,
        lines: ["hello worldACK"],
      });
      assertEquals(await server.stop(), 0);
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
