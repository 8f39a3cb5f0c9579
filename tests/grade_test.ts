/**
 * The grader against ackline's own server (full marks) and against course
 * servers in miniature, each with one flaw the grader must catch.
 */

import { SYSTEM_CLOCK } from "../lib/common/mod.ts";
import { namesFromStatus } from "../lib/grade/checks.ts";
import type { Visitor } from "../lib/course/mod.ts";
import {
  grade,
  type GradeOptions,
  type Grading,
  RUBRIC,
  type Verdict,
} from "../lib/grade/mod.ts";
import { assert, assertEquals } from "./support/assert.ts";
import {
  type CourseFlaws,
  startCourseServer,
} from "./support/course_server.ts";
import { startServer } from "./support/test_server.ts";

/** A binary file of 2 MiB: every byte value, over and over. */
const BINARY = Uint8Array.from(
  { length: 2 * 1024 * 1024 },
  (_, i) => (i * 7) % 256,
);
const NOTES = new TextEncoder().encode("notes for the grader\n");

/** Fast enough for a test, with room for a loaded machine. */
function options(port: number, more: Partial<GradeOptions> = {}): GradeOptions {
  return {
    target: { hostname: "127.0.0.1", port },
    maxClients: 3,
    quietMs: 100,
    waitMs: 1000,
    overLimitWaitMs: 1500,
    replyMs: 10_000,
    file: "data.bin",
    expect: BINARY,
    clock: SYSTEM_CLOCK,
    ...more,
  };
}

/** The verdict of each case, by id. */
function verdicts(cases: { id: string; verdict: Verdict }[]) {
  return Object.fromEntries(cases.map((c) => [c.id, c.verdict]));
}

Deno.test("full marks for ackline's server, as a line server and with a line gap, and for a course server that takes no line ends", async () => {
  // Graded side by side: each run mostly waits for its server to be quiet.
  const files = { "data.bin": BINARY, "notes.txt": NOTES };
  await using lines = await startServer({
    files,
    timings: { admissionWaitMs: 300 },
  });
  await using gap = await startServer({
    files,
    timings: { admissionWaitMs: 300, lineGapMs: 30 },
  });
  await using course = startCourseServer(files);
  const [asLines, withGap, ofCourse] = await Promise.all(
    [lines.port, gap.port, course.port].map((port) => grade(options(port))),
  );
  const notPassed = ({ grade: result }: Grading) =>
    result.cases.filter((c) => c.verdict !== "pass").map((c) => [
      c.id,
      c.verdict,
      c.evidence.at(-1),
    ]);
  // As a line server, ackline passes every case, robustness included.
  assertEquals(notPassed(asLines), []);
  assertEquals(asLines.lineEnd, true);
  assertEquals(
    [asLines.grade.score, asLines.grade.max, asLines.grade.passed],
    [130, 100, true],
  );
  // Without line ends, messages sent at once cannot be told apart.
  const skipped = [[
    "robust/pipelined",
    "skip",
    "the server takes messages without a line end, so messages sent at once cannot be told apart",
  ]];
  for (const graded of [withGap, ofCourse]) {
    assertEquals(notPassed(graded), skipped);
    assertEquals([graded.lineEnd, graded.grade.passed], [false, true]);
  }
});

const FLAWS: [string, CourseFlaws, Record<string, Verdict>][] = [
  ["messages need a line end (still full marks)", { needsLineEnd: true }, {}],
  ["wants its name back first (still full marks)", { wantsNameBack: true }, {}],
  // No name on connecting: status names them, in the order they came.
  ["no greeting (names found in status)", { noGreeting: true }, {}],
  ["numbers from 0", { firstNumber: 0 }, { "rubric/2": "fail" }],
  ["numbers out of order", { numberStep: 2 }, { "rubric/2": "fail" }],
  ["numbers from 5: served others", { firstNumber: 5 }, { "rubric/2": "skip" }],
  ["echo without ACK", { noAck: true }, {
    "rubric/5": "fail",
    "rubric/3": "fail",
    "rubric/6": "fail",
  }],
  ["no limit", { noLimit: true }, { "rubric/4": "fail" }],
  ["hangs on the 4th", { silentWhenFull: true }, {
    "rubric/4": "fail",
    "robust/over-limit-answered": "fail",
  }],
  // Every slot is then taken: no newcomer is served after.
  ["exit keeps the slot", { exitKeepsSlot: true }, {
    "rubric/6": "fail",
    "robust/silent-client": "fail",
    "robust/long-line": "fail",
    "robust/invalid-utf8": "fail",
    "robust/vanish-mid-download": "fail",
    "robust/traversal": "skip",
  }],
  ["status without times", { statusWithoutTimes: true }, {
    "rubric/7": "fail",
  }],
  ["traversal served", { servesTraversal: true }, {
    "robust/traversal": "fail",
  }],
  ["answers the first of the lines that come together", {
    needsLineEnd: true,
    firstLineOnly: true,
  }, { "robust/pipelined": "fail" }],
  // The slot it keeps leaves room for the one newcomer after it.
  ["dies on invalid UTF-8", { diesOnInvalidUtf8: true }, {
    "robust/invalid-utf8": "fail",
    "robust/vanish-mid-download": "fail",
  }],
  ["a silent client stops everyone after it", { greetsInTurn: true }, {
    "robust/silent-client": "fail",
  }],
  ["list refused with an error", { listRefused: true }, {
    "rubric/8": "fail",
  }],
  ["binary corrupted", { corruptsFiles: true }, {
    "rubric/9": "fail",
    "robust/binary-file": "fail",
  }],
];

Deno.test("course servers with one flaw each are each caught, and nothing else is", async () => {
  // Graded side by side: each run mostly waits for its server to be quiet.
  const mismatches = await Promise.all(
    FLAWS.map(async ([name, flaws, expected]) => {
      await using server = startCourseServer(
        { "data.bin": BINARY, "notes.txt": NOTES },
        flaws,
      );
      const { grade: result } = await grade(options(server.port));
      const failing = Object.fromEntries(
        Object.entries(verdicts(result.cases)).filter(([id, v]) =>
          v !== "pass" && !(id === "robust/pipelined" && !flaws.needsLineEnd)
        ),
      );
      const passed = Object.keys(expected).every((id) =>
        !id.startsWith("rubric/")
      );
      const sorted = (record: Record<string, Verdict>) =>
        JSON.stringify(Object.entries(record).sort());
      return sorted(failing) === sorted(expected) &&
          result.passed === passed
        ? null
        : { name, failing, expected, cases: result.cases };
    }),
  );
  assertEquals(mismatches.filter((m) => m !== null), []);
});

Deno.test("names come from status when no greeting gives them: everyone in order, or those present and those gone", () => {
  const visitor = () => ({ number: null } as unknown as Visitor);
  // Everyone who came, in order.
  let [a, b, c, d] = [visitor(), visitor(), visitor(), visitor()];
  namesFromStatus(
    "Client01 12:00:01 -\nClient02 12:00:02 12:00:05\nClient03 12:00:03 -\nClient04 12:00:06 -",
    [a, b, c, d],
    [a, c, d],
  );
  assertEquals([a, b, c, d].map((v) => v.number), [1, 2, 3, 4]);
  // Only those connected, with the one gone left out.
  [a, b, c, d] = [visitor(), visitor(), visitor(), visitor()];
  namesFromStatus(
    "Client01: at 12:00:01\nClient03: at 12:00:03\nClient05: at 12:00:07",
    [a, b, c, d],
    [a, c, d],
  );
  assertEquals([a, b, c, d].map((v) => v.number), [1, null, 3, 5]);
  // A name given twice: those present cannot be told apart; the one gone can.
  [a, b, c, d] = [visitor(), visitor(), visitor(), visitor()];
  namesFromStatus(
    "Client01: 12:00:01 None\nClient02: 12:00:02 12:00:05\nClient03: 12:00:06 None",
    [a, b, c, d],
    [a, c, d],
  );
  assertEquals([a, b, c, d].map((v) => v.number), [null, 2, null, null]);
});

Deno.test("a server the grader cannot grade says why and passes nothing: one that wants a token, one that is not there", async () => {
  await using server = await startServer({
    token: "grade-test-token-0123456789abcdef",
  });
  const wanting = await grade(options(server.port));
  assertEquals(wanting.lineEnd, null);
  assertEquals(wanting.grade.passed, false);
  assertEquals(
    wanting.grade.cases.map((c) => [c.id, c.verdict, c.evidence.at(-1)]),
    RUBRIC.map((about) => [
      about.id,
      "skip",
      "the server wants a token first (530), and the grader has none to give",
    ]),
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const absent = await grade(options(port));
  assertEquals(absent.lineEnd, null);
  assertEquals(absent.grade.score, 0);
  assertEquals(
    absent.grade.cases.map((c) => c.id),
    RUBRIC.map((about) => about.id),
  );
  assert(
    absent.grade.cases.every((c) =>
      c.verdict === "fail" && /^cannot connect to /.test(c.evidence.at(-1)!)
    ),
  );
});
