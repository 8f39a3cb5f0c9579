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
  type Heard,
  quote,
  textOf,
  timesIn,
  type Visitor,
} from "../course/mod.ts";
import { asked, type Findings, item, type RubricOptions } from "./items.ts";

export function judgeNames(log: CaseLog, visitors: Visitor[]): CaseResult {
  const numbers = visitors.map((v) => v.number);
  const known = numbers.flatMap((n, i) => n === null ? [] : [{ n, i }]);
  if (known.length < 2) {
    return log.judge(
      item(2),
      "skip",
      known.length === 0
        ? "no client's name was seen: neither a greeting nor status named them"
        : "only one client's name could be told: too few to judge the order",
    );
  }
  const start = known[0].n - known[0].i;
  const shown = numbers.map((n) => n ?? "?").join(", ");
  if (!known.every(({ n, i }) => n === start + i)) {
    return log.judge(
      item(2),
      "fail",
      `the names were numbered ${shown}, not in order`,
    );
  }
  if (start < 1) {
    return log.judge(
      item(2),
      "fail",
      `the names were numbered from ${start}, not from Client01`,
    );
  }
  const unseen = known.length < numbers.length
    ? ` (${shown}: those seen fit)`
    : "";
  return start === 1
    ? log.judge(item(2), "pass", `named Client01, Client02 … in order${unseen}`)
    : log.judge(
      item(2),
      "skip",
      `numbered from ${start} in order${unseen}: the server has served others since it started; grade a fresh server to check it starts at Client01`,
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

/**
 * The part of `text` about each client it names, by number, in the order
 * they are named: from one mention of a name to the next.
 */
function segments(text: string): Map<number, string> {
  const mentions = clientMentions(text);
  const found = new Map<number, string>();
  mentions.forEach((mention, i) => {
    const end = mentions[i + 1]?.at ?? text.length;
    if (!found.has(mention.n)) {
      found.set(mention.n, text.slice(mention.at, end));
    }
  });
  return found;
}

/**
 * Gives the clients with no name yet the names `status` mentions, in
 * order, as a server that names no one on connecting still lists them:
 * every client that came (`arrivals`, in the order they connected) when
 * it lists as many; else those still connected (`present`) the names
 * with one time, and those gone the names with two, where the counts
 * match. Any other count matches no one.
 *
 * @returns the names status mentions, in order.
 */
export function namesFromStatus(
  text: string,
  arrivals: Visitor[],
  present: Visitor[],
): number[] {
  const found = segments(text);
  const numbers = [...found.keys()];
  const give = (visitors: Visitor[], names: number[]) => {
    if (visitors.length !== names.length) return;
    visitors.forEach((visitor, i) => visitor.number ??= names[i]);
  };
  if (numbers.length === arrivals.length) {
    give(arrivals, numbers);
  } else {
    const gone = numbers.filter((n) => timesIn(found.get(n) ?? "") >= 2);
    give(present, numbers.filter((n) => !gone.includes(n)));
    give(arrivals.filter((v) => !present.includes(v)), gone);
  }
  return numbers;
}

/** Judges a `status` reply: every client present, the one that left with two times. */
export function judgeStatus(
  log: CaseLog,
  text: string,
  present: Visitor[],
  left: Visitor | undefined,
): CaseResult {
  if (echoes(text, "status")) {
    return log.judge(item(7), "fail", "status was echoed as a message");
  }
  const found = segments(text);
  const segment = (n: number | null) =>
    n === null ? null : found.get(n) ?? null;
  const missing = present.filter((v) => segment(v.number) === null);
  if (missing.length > 0 || present.length === 0) {
    const came = present.length + (left === undefined ? 0 : 1);
    return log.judge(
      item(7),
      "fail",
      missing.some((v) => v.number === null)
        ? `status names ${found.size} clients while ${came} have come (${present.length} still connected), so it cannot be matched to them: one is missing or named twice`
        : `status does not list every connected client (${
          missing.map((v) => `Client${String(v.number).padStart(2, "0")}`)
            .join(", ")
        } missing)`,
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
