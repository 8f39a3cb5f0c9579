/**
 * Builds standalone binaries of the server, the client and the grader for every
 * supported platform into dist/. Each binary carries the permission flags
 * and the V8 flags of its `deno task`, read from deno.json so the two never
 * drift, less the paths in the user's home folder (see
 * {@linkcode binaryPermissionFlags}).
 *
 * @module
 */

import {
  binaryPermissionFlags,
  type Program,
  PROGRAMS,
  readTasks,
  v8Flags,
} from "./tasks.ts";

/** Platforms to build for: file suffix → Deno target triple. */
export const TARGETS: Readonly<Record<string, string>> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "macos-x64": "x86_64-apple-darwin",
  "macos-arm64": "aarch64-apple-darwin",
  "windows-x64": "x86_64-pc-windows-msvc",
};

/** Arguments of `deno compile` for one program and platform. */
export function compileArgs(
  program: Program,
  task: string,
  suffix: string,
  outDir = "dist",
): string[] {
  const exe = suffix.startsWith("windows") ? ".exe" : "";
  return [
    "compile",
    ...binaryPermissionFlags(task),
    ...v8Flags(task),
    "--target",
    TARGETS[suffix],
    "--output",
    `${outDir}/ackline-${program}-${suffix}${exe}`,
    `${program}.ts`,
  ];
}

async function main(): Promise<number> {
  const tasks = await readTasks();
  for (const program of PROGRAMS) {
    for (const suffix of Object.keys(TARGETS)) {
      const args = compileArgs(program, tasks[program], suffix);
      console.log(`deno ${args.join(" ")}`);
      const { success } = await new Deno.Command(Deno.execPath(), { args })
        .spawn().status;
      if (!success) {
        console.error(
          `error: building ${program} for ${suffix} failed; deno compile needs to download the Deno runtime for that platform once, so it needs the network`,
        );
        return 1;
      }
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
