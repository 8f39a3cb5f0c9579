/**
 * What the robustness cases share: their ids, and the check that ends the
 * rough ones, that every slot serves a newcomer again.
 *
 * @module
 */

import { CaseLog, type CaseResult } from "./cases.ts";
import {
  type Course,
  FULL_WORDS,
  quote,
  textOf,
  type Visitor,
} from "../course/mod.ts";

/** A robustness case, worth no points: `robust/<name>`. */
export const robust = (name: string, title: string) => ({
  id: `robust/${name}`,
  title,
  max: 0,
});

/**
 * Whether `count` newcomers are still served at once (every slot freed
 * that should be): each connected and answered, with ACK or not (that is
 * the rubric's business), none told the server is full.
 */
export async function stillServes(
  course: Course,
  log: CaseLog,
  count: number,
): Promise<boolean> {
  const newcomers: Visitor[] = [];
  let served = true;
  try {
    for (let i = 0; i < count && served; i++) {
      const visitor = await course.visit();
      if (visitor instanceof Error) {
        log.note(
          `newcomer ${i + 1} of ${count} could not connect: ${visitor.message}`,
        );
        return false;
      }
      newcomers.push(visitor);
      const heard = await course.ask(visitor, "still there?");
      log.note(
        `newcomer ${i + 1} of ${count} sent "still there?"; got ${
          quote(heard)
        }`,
      );
      const text = textOf(heard);
      served = text.includes("still there?") && !FULL_WORDS.test(text);
    }
    return served;
  } finally {
    for (const visitor of newcomers) await course.leave(visitor);
  }
}

/** Runs `stress` on a fresh connection, then checks a newcomer is served. */
export async function survives(
  course: Course,
  slots: number,
  about: { id: string; title: string; max: number },
  stress: (visitor: Visitor, log: CaseLog) => Promise<void>,
  after = "afterwards every slot served a newcomer",
): Promise<CaseResult> {
  const log = new CaseLog();
  const visitor = await course.visit();
  if (visitor instanceof Error) {
    return log.judge(about, "fail", `cannot connect: ${visitor.message}`);
  }
  await stress(visitor, log);
  await course.drop(visitor);
  return await stillServes(course, log, slots)
    ? log.judge(about, "pass", after)
    : log.judge(about, "fail", AFTERWARDS);
}

/** The verdict when the slots were not all free again. */
export const AFTERWARDS =
  "afterwards not every slot served a newcomer: one is lost or the server stopped";
