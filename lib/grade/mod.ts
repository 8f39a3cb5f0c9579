/**
 * The grader, as the other folders use it: its command line, a grading
 * run, and the forms of its report.
 *
 * @module
 */

export {
  GRADE_DEFAULTS,
  type GradeCommandLine,
  HELP,
  parseCommandLine,
} from "./cli.ts";
export type { CaseResult, Grade, Verdict } from "./cases.ts";
export { gradeJson, gradeJunit, gradeTable } from "./report.ts";
export { grade, type GradeOptions, type Grading } from "./run.ts";
export { RUBRIC } from "./items.ts";
export type { Target } from "../course/mod.ts";
export { prepareJunit, readExpected, writeJunit } from "./start.ts";
