/**
 * The grade program as its task runs it: its table, JSON and JUnit, and
 * its exit codes.
 */

import { RUBRIC } from "../lib/grade/mod.ts";
import { programCommand, runToEnd } from "../tools/programs.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { startCourseServer } from "./support/course_server.ts";
import { withTempDir } from "./support/files.ts";
import { startServer } from "./support/test_server.ts";

const NOTES = new TextEncoder().encode("notes for the grader\n");

/** Runs the grade program as its task does, in `dir`; its code and output. */
async function gradeProgram(args: string[], dir: string) {
  const command = await programCommand("grade", args, {
    cwd: dir,
    env: { NO_COLOR: "1" },
  });
  return await runToEnd(command, "the grader to finish", undefined, 30_000);
}

const FAST = ["--quiet", "0.1", "--wait", "1", "--full-wait", "1.5"];

Deno.test("the grade program: JSON and JUnit for machines, exit code 0 on full marks", async () => {
  await withTempDir(async (dir) => {
    await using server = await startServer({
      files: { "notes.txt": NOTES },
      timings: { admissionWaitMs: 300 },
    });
    const { code, out, err } = await gradeProgram(
      [`127.0.0.1:${server.port}`, ...FAST, "--json", "--junit", "report.xml"],
      dir,
    );
    assertEquals(code, 0, err);
    const report = JSON.parse(out);
    assertEquals([report.score, report.max, report.passed], [130, 100, true]);
    assertEquals(
      report.cases.filter((c: { id: string }) => c.id.startsWith("rubric/"))
        .map((c: { id: string; passed: boolean }) => [c.id, c.passed]),
      RUBRIC.map((about) => [about.id, true]),
    );
    const junit = await Deno.readTextFile(`${dir}/report.xml`);
    assertMatch(
      junit,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuite /,
    );
    assertMatch(junit, / failures="0" /);
    assertEquals(
      [...junit.matchAll(/<testcase /g)].length,
      report.cases.length,
    );
  });
});

Deno.test("the grade program: a table with the evidence, exit code 1 when a rubric item fails", async () => {
  await withTempDir(async (dir) => {
    await using server = startCourseServer({ "notes.txt": NOTES }, {
      noAck: true,
    });
    const { code, out } = await gradeProgram(
      [`127.0.0.1:${server.port}`, ...FAST],
      dir,
    );
    assertEquals(code, 1);
    assertMatch(
      out,
      /^Grade of 127\.0\.0\.1:\d+ \(messages sent without a line end; a reply ends after 0\.1 s of quiet\)$/m,
    );
    assertMatch(out, /^rubric\/5 +messages echoed with "ACK" +0\/20 +FAIL$/m);
    assertMatch(out, /^ {4}A sent hello world; got hello world$/m);
    assertMatch(out, /^Score: \d+ of 100 /m);
  });
});

Deno.test("the grade program: a mistake on the command line exits 2", async () => {
  await withTempDir(async (dir) => {
    for (
      const args of [[], ["nowhere"], ["a:1", "b:2"], ["a:1", "--quiet", "0"]]
    ) {
      const { code, err } = await gradeProgram(args, dir);
      assertEquals(code, 2, args.join(" "));
      assertMatch(err, /^error: .*\nRun with --help for usage\.\n$/);
    }
  });
});

Deno.test("the grade program: a --junit file it cannot write is said before any grading", async () => {
  await withTempDir(async (dir) => {
    await using server = await startServer();
    const { code, out, err } = await gradeProgram(
      [`127.0.0.1:${server.port}`, ...FAST, "--junit", "no/such/folder.xml"],
      dir,
    );
    assertEquals([code, out], [1, ""]);
    assertMatch(
      err,
      /^error: Cannot write no\/such\/folder\.xml \(--junit\): /,
    );
    // The server was never spoken to.
    assertEquals(
      server.logs.filter((entry) => entry.kind === "NEW CONNECTION"),
      [],
    );
  });
});
