/**
 * The rubric's items on clients: names in order, the limit, and `status`.
 *
 * @module
 */

import { CaseLog, type CaseResult } from "./cases.ts";
import {
  clientMentions,
  type Course,
  echoes,
  FULL_WORDS,
  quote,
  textOf,
  timesIn,
  type Visitor,
} from "./course.ts";
import { asked, type Findings, item, type RubricOptions } from "./items.ts";
import type { Heard } from "./peer.ts";

export function judgeNames(log: CaseLog, visitors: Visitor[]): CaseResult {
  const numbers = visitors.map((v) => v.number);
  if (numbers.some((n) => n === null)) {
    return log.judge(
      item(2),
      "fail",
      "a client's greeting and reply named no ClientNN",
    );
  }
  const [start] = numbers as number[];
  if (!numbers.every((n, i) => n === start + i)) {
    return log.judge(
      item(2),
      "fail",
      `the names were numbered ${numbers.join(", ")}, not in order`,
    );
  }
  if (start < 1) {
    return log.judge(
      item(2),
      "fail",
      `the names were numbered from ${start}, not from Client01`,
    );
  }
  return start === 1
    ? log.judge(item(2), "pass", "named Client01, Client02 … in order")
    : log.judge(
      item(2),
      "skip",
      `numbered from ${start} in order: the server has served others since it started; grade a fresh server to check it starts at Client01`,
    );
}

export async function judgeOverLimit(
  course: Course,
  options: RubricOptions,
  findings: Findings,
): Promise<CaseResult> {
  const log = new CaseLog();
  const extra = await course.visit(options.overLimitWaitMs);
  if (extra instanceof Error) {
    return log.judge(
      item(4),
      "pass",
      `a client over the limit was refused: ${extra.message}`,
    );
  }
  log.note(
    `a client over the limit of ${options.maxClients} connected; greeted with ${
      quote(extra.greeting)
    }`,
  );
  findings.overLimit = extra.greeting;
  const told = (heard: Heard) => heard.closed || FULL_WORDS.test(textOf(heard));
  if (told(extra.greeting)) {
    await course.drop(extra);
    return log.judge(item(4), "pass", "it was told or closed at once");
  }
  const heard = await asked(
    course,
    log,
    "it",
    extra,
    "hello over the limit",
    options.overLimitWaitMs,
  );
  findings.overLimit = heard.bytes.length > 0 || heard.closed
    ? heard
    : extra.greeting;
  await course.drop(extra);
  if (echoes(textOf(heard), "hello over the limit")) {
    return log.judge(
      item(4),
      "fail",
      `it was served: no limit of ${options.maxClients}`,
    );
  }
  if (told(heard)) return log.judge(item(4), "pass", "it was told or closed");
  return log.judge(
    item(4),
    "fail",
    `it was left hanging: no answer in ${options.overLimitWaitMs / 1000} s`,
  );
}

export async function judgeStatus(
  course: Course,
  asker: Visitor,
  present: Visitor[],
  left: Visitor | undefined,
): Promise<CaseResult> {
  const log = new CaseLog();
  const text = textOf(await asked(course, log, "A", asker, "status"));
  const mentions = clientMentions(text);
  const segment = (n: number | null) => {
    const i = mentions.findIndex((m) => m.n === n);
    if (i < 0) return null;
    return text.slice(mentions[i].at, mentions[i + 1]?.at ?? text.length);
  };
  const missing = present.filter((v) => segment(v.number) === null);
  if (missing.length > 0 || present.length === 0) {
    return log.judge(
      item(7),
      "fail",
      `status does not list every connected client (missing ${
        missing.map((v) => v.number).join(", ")
      })`,
    );
  }
  if (present.some((v) => timesIn(segment(v.number) ?? "") === 0)) {
    return log.judge(
      item(7),
      "fail",
      "status gives no connect time for a client",
    );
  }
  const gone = left === undefined ? null : segment(left.number);
  if (gone === null) {
    return log.judge(
      item(7),
      "fail",
      "status does not list the client that left",
    );
  }
  return timesIn(gone) >= 2
    ? log.judge(
      item(7),
      "pass",
      "every client listed with its times, and the one that left with its disconnect time",
    )
    : log.judge(item(7), "fail", "the client that left has no disconnect time");
}
