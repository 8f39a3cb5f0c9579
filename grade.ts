/**
 * The ackline grader: grades any running server against the CP372
 * assignment's rubric, and against cases beyond it, with the evidence of
 * each; a table for people, JSON or JUnit XML for machines.
 *
 * @example Usage
 * ```sh
 * deno task grade 127.0.0.1:12345
 * ```
 *
 * @module
 */

import { colors, runProgram, SYSTEM_CLOCK } from "./lib/common/mod.ts";
import {
  grade,
  GRADE_DEFAULTS,
  gradeJson,
  gradeJunit,
  gradeTable,
  HELP,
  parseCommandLine,
  prepareJunit,
  readExpected,
  writeJunit,
} from "./lib/grade/mod.ts";

async function main(args: string[]): Promise<number> {
  const command = parseCommandLine(args);
  if (command === null) {
    console.log(HELP);
    return 0;
  }
  colors.setColorEnabled(!command.json && Deno.stdout.isTerminal());
  const expect = await readExpected(command);
  await prepareJunit(command);
  const { hostname, port } = command.target;
  const where = hostname.includes(":")
    ? `[${hostname}]:${port}`
    : `${hostname}:${port}`;
  const { grade: result, lineEnd } = await grade({
    ...command,
    replyMs: GRADE_DEFAULTS.replyMs,
    expect,
    clock: SYSTEM_CLOCK,
  });
  await writeJunit(command, gradeJunit(result, where));
  const how = lineEnd === null
    ? ""
    : ` (messages ${
      lineEnd ? "end with a line end" : "sent without a line end"
    }; a reply ends after ${command.quietMs / 1000} s of quiet)`;
  console.log(
    command.json
      ? gradeJson(result, where)
      : gradeTable(result, `Grade of ${where}${how}`),
  );
  return result.passed ? 0 : 1;
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
