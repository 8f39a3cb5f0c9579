/**
 * A whole grading run: the rubric, then the cases beyond it, against one
 * server.
 *
 * @module
 */

import type { Clock } from "../common/mod.ts";
import { type Grade, gradeOf } from "./cases.ts";
import { Course, type Target } from "../course/mod.ts";
import { gradeRobust } from "./robust.ts";
import { gradeRubric } from "./rubric.ts";

/** What a grading run needs. */
export interface GradeOptions {
  /** The server to grade. */
  target: Target;
  /** The limit the server should keep. */
  maxClients: number;
  /** A reply has ended after this much quiet. */
  quietMs: number;
  /** How long to wait for a reply to begin. */
  waitMs: number;
  /** How long a client over the limit waits to be told. */
  overLimitWaitMs: number;
  /** The longest one reply may keep arriving. */
  replyMs: number;
  /** The file to fetch, or `null` for the first listed. */
  file: string | null;
  /** The bytes that file must arrive as, or `null` when not given. */
  expect: Uint8Array | null;
  /** Where the time comes from. */
  clock: Clock;
}

/** What a run found out about how the server talks, for the heading. */
export interface Grading {
  /** The cases and the score. */
  grade: Grade;
  /**
   * Whether the server needed a line end after each message; `null` when
   * it was never learned (the server could not be graded).
   */
  lineEnd: boolean | null;
}

/** Grades the server at `options.target`. */
export async function grade(options: GradeOptions): Promise<Grading> {
  const { quietMs, waitMs, replyMs, clock } = options;
  const course = new Course(options.target, {
    quietMs,
    waitMs,
    replyMs,
    clock,
  });
  const { cases, findings } = await gradeRubric(course, options);
  // A server that could not be graded is not tried further.
  const robust = findings.blocked !== null ? [] : await gradeRobust(
    course,
    findings,
    options.expect,
    options.maxClients,
  );
  return {
    grade: gradeOf([...cases, ...robust]),
    lineEnd: course.lineEnd === null || findings.blocked !== null
      ? null
      : course.lineEnd === "\n",
  };
}
