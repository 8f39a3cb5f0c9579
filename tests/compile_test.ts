/**
 * The compile task: its arguments always, and a real binary where
 * `deno compile` can fetch the runtime it embeds.
 */

import { assertEquals, assertStringIncludes } from "@std/assert";
import { compileArgs, permissionFlags, readTasks } from "../tools/compile.ts";
import { RawClient, within } from "./helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const tasks = await readTasks();

Deno.test("binaries carry exactly the permissions of their tasks", () => {
  for (const program of ["server", "client"] as const) {
    const args = compileArgs(program, tasks[program], "linux-x64");
    const flags = args.filter((arg) => arg.startsWith("--allow-"));
    assertEquals(flags, permissionFlags(tasks[program]));
    assertEquals(flags.length > 0, true);
    assertEquals(args.includes("--allow-all") || args.includes("-A"), false);
  }
  assertEquals(
    compileArgs("server", tasks.server, "windows-x64").at(-2),
    "dist/ackline-server-windows-x64.exe",
  );
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
      }).output();
      assertEquals(refused.code, 1);
      assertStringIncludes(
        new TextDecoder().decode(refused.stderr),
        "no permission to read it",
      );
      const child = new Deno.Command(binary, {
        args: ["--port", "0"],
        cwd: ROOT,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const first = await within(reader.read(), "the binary to log");
      const port = Number(/:(\d+)/.exec(first.value ?? "")?.[1]);
      const { client } = await RawClient.greeted(port);
      assertEquals(await client.request("hello world"), {
        code: 250,
        lines: ["hello worldACK"],
      });
      client.close();
      child.kill("SIGTERM");
      assertEquals((await child.status).code, 0);
      while (!(await reader.read()).done) { /* drain */ }
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
