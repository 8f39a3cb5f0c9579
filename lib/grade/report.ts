/**
 * The grade for people (a table with the evidence under each row, colour
 * only on a terminal) and for machines (one JSON object; JUnit XML for CI).
 *
 * @module
 */

import { alignColumns, type Colorizer, colors } from "../common/mod.ts";
import type { CaseResult, Grade, Verdict } from "./cases.ts";

const MARKS: Record<Verdict, [string, Colorizer]> = {
  pass: ["PASS", colors.green],
  fail: ["FAIL", colors.red],
  skip: ["SKIP", colors.yellow],
};

function scoreLine(grade: Grade): string {
  return `Score: ${grade.score} of ${grade.max} (bonus items count beyond it)`;
}

/** The grade as a table, each case's evidence under its row. */
export function gradeTable(grade: Grade, heading: string): string {
  const lines = [colors.bold(heading), ""];
  const rows = grade.cases.map((c) => [
    c.id,
    c.bonus ? `${c.title} (bonus)` : c.title,
    c.max === 0 ? "" : `${c.points}/${c.max}`,
    c.verdict,
  ]);
  const aligned = alignColumns(rows, { right: [2] });
  grade.cases.forEach((c, i) => {
    if (
      i > 0 && c.id.startsWith("robust/") &&
      !grade.cases[i - 1].id.startsWith("robust/")
    ) {
      lines.push("", scoreLine(grade), "");
    }
    const [mark, paint] = MARKS[c.verdict];
    lines.push(paint(aligned[i].replace(/\S+$/, mark)));
    for (const line of c.evidence) lines.push(colors.dim(`    ${line}`));
  });
  if (!grade.cases.some((c) => c.id.startsWith("robust/"))) {
    lines.push("", scoreLine(grade));
  }
  return lines.join("\n");
}

/** The grade as one JSON object. */
export function gradeJson(grade: Grade, target: string): string {
  return JSON.stringify({
    target,
    score: grade.score,
    max: grade.max,
    passed: grade.passed,
    cases: grade.cases.map((c) => ({ ...c, passed: c.verdict === "pass" })),
  });
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // XML 1.0 has no place for most control characters, even escaped.
    .replace(/[^\t\n\r -\uFFFF]/g, "\uFFFD");
}

function testCase(c: CaseResult): string {
  const name = xml(`${c.id} ${c.title}`);
  const classname = c.id.split("/")[0];
  const reason = xml(c.evidence.at(-1) ?? "");
  const body = xml(c.evidence.join("\n"));
  const inner = c.verdict === "fail"
    ? `<failure message="${reason}">${body}</failure>`
    : c.verdict === "skip"
    ? `<skipped message="${reason}"/>`
    : `<system-out>${body}</system-out>`;
  return `  <testcase classname="${classname}" name="${name}">${inner}</testcase>`;
}

/** The grade as JUnit XML, one test case a case. */
export function gradeJunit(grade: Grade, target: string): string {
  const count = (verdict: Verdict) =>
    grade.cases.filter((c) => c.verdict === verdict).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${
      xml(`grade ${target}`)
    }" tests="${grade.cases.length}" failures="${count("fail")}" skipped="${
      count("skip")
    }">`,
    ...grade.cases.map(testCase),
    "</testsuite>",
    "",
  ].join("\n");
}
