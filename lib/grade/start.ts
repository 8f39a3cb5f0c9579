/**
 * The files the grader touches, each within its task's permissions or
 * with the exact command that may: the bytes to expect, the JUnit report.
 *
 * @module
 */

import {
  escapeControl,
  hasPermission,
  type Permissions,
  runCommand,
  UserFacingError,
  withPaths,
} from "../common/mod.ts";
import type { GradeCommandLine } from "./cli.ts";

/**
 * The permissions of the grader's task (`deno.json`): connect anywhere,
 * read and write the folder it runs in.
 */
export const TASK_PERMISSIONS: Readonly<Permissions> = Object.freeze({
  net: [],
  read: ["."],
  write: ["."],
  env: [],
  sys: [],
});

/** The command that runs the grader as its task does, allowed `more`. */
function commandAllowing(
  command: GradeCommandLine,
  more: { read?: string[]; write?: string[] },
): string {
  return runCommand("grade.ts", {
    ...TASK_PERMISSIONS,
    read: withPaths(TASK_PERMISSIONS.read, ...more.read ?? []),
    write: withPaths(TASK_PERMISSIONS.write, ...more.write ?? []),
  }, command.args);
}

/**
 * The bytes of `--expect`, or `null` without it.
 *
 * @throws {UserFacingError} for a file it may not or cannot read.
 */
export async function readExpected(
  command: GradeCommandLine,
): Promise<Uint8Array | null> {
  const path = command.expectFile;
  if (path === null) return null;
  if (!await hasPermission({ name: "read", path })) {
    throw new UserFacingError(
      `No permission to read ${escapeControl(path)}; run: ${
        commandAllowing(command, { read: [path] })
      }`,
    );
  }
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new UserFacingError(
      `Cannot read ${escapeControl(path)} (--expect): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/**
 * Makes sure, before grading, that the `--junit` file can be written: it
 * is created empty, so a grade is never lost to a path that cannot be.
 *
 * @throws {UserFacingError} for a file it may not or cannot write.
 */
export async function prepareJunit(command: GradeCommandLine): Promise<void> {
  await writeJunit(command, "");
}

/**
 * Writes `text` to the `--junit` file, if one was given.
 *
 * @throws {UserFacingError} for a file it may not or cannot write.
 */
export async function writeJunit(
  command: GradeCommandLine,
  text: string,
): Promise<void> {
  const path = command.junitFile;
  if (path === null) return;
  if (!await hasPermission({ name: "write", path })) {
    throw new UserFacingError(
      `No permission to write ${escapeControl(path)}; run: ${
        commandAllowing(command, { write: [path] })
      }`,
    );
  }
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw new UserFacingError(
      `Cannot write ${escapeControl(path)} (--junit): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
