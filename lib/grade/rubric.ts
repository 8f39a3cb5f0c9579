/**
 * The assignment's rubric, item by item, against any server: each item
 * with its points and the evidence of what was sent and what came back.
 *
 * @module
 */

import { CaseLog, type CaseResult } from "./cases.ts";
import {
  judgeNames,
  judgeOverLimit,
  judgeStatus,
  namesFromStatus,
} from "./checks.ts";
import {
  Course,
  echoes,
  type Heard,
  quote,
  textOf,
  type Visitor,
} from "../course/mod.ts";
import { judgeFiles } from "./files.ts";
import {
  asked,
  type Findings,
  item,
  RUBRIC,
  type RubricOptions,
} from "./items.ts";

/**
 * Grades the server with the rubric's items in order; every connection it
 * opened is closed when it returns.
 */
export async function gradeRubric(
  course: Course,
  options: RubricOptions,
): Promise<{ cases: CaseResult[]; findings: Findings }> {
  const findings: Findings = {
    fileRequest: null,
    fileName: null,
    fileIntact: null,
    overLimit: null,
    blocked: null,
  };
  const cases: CaseResult[] = [];
  try {
    const first = await course.visit();
    if (first instanceof Error) {
      const reason =
        `cannot connect to ${course.target.hostname}:${course.target.port}: ${first.message}`;
      for (const about of RUBRIC) {
        cases.push(new CaseLog().judge(about, "fail", reason));
      }
      findings.blocked = reason;
      return { cases, findings };
    }
    // 1 and 5: one client, its messages echoed.
    const one = new CaseLog();
    one.note(`Client A connected; greeted with ${quote(first.greeting)}`);
    if (first.handshake !== null) one.note(first.handshake);
    const hello = await asked(course, one, "A", first, "hello world");
    const blocked = whyUngradable(first.greeting, hello);
    if (blocked !== null) {
      for (const about of RUBRIC) cases.push(one.judge(about, "skip", blocked));
      findings.blocked = blocked;
      return { cases, findings };
    }
    one.note(
      course.lineEnd === "\n"
        ? "the server answers messages that end with a line end"
        : "the server answers messages sent without a line end",
    );
    cases.push(
      hello.bytes.length > 0
        ? one.judge(item(1), "pass", "a client connected and was answered")
        : one.judge(item(1), "fail", "the server answered no message"),
    );
    const echo = new CaseLog();
    const again = await asked(course, echo, "A", first, "second message");
    cases.push(
      echoes(textOf(hello), "hello world") &&
        echoes(textOf(again), "second message")
        ? echo.judge(item(5), "pass", "both messages came back with ACK")
        : echo.judge(
          item(5),
          "fail",
          'a message did not come back followed by "ACK"',
        ),
    );
    // 2 and 3: more clients, named in order, served at once.
    const many = new CaseLog();
    const visitors: Visitor[] = [first];
    for (
      const who of ["B", "C"].slice(0, Math.max(0, options.maxClients - 1))
    ) {
      const visitor = await course.visit();
      if (visitor instanceof Error) {
        many.note(`client ${who} could not connect: ${visitor.message}`);
        break;
      }
      many.note(
        `client ${who} connected; greeted with ${quote(visitor.greeting)}`,
      );
      await asked(course, many, who, visitor, `hello from ${who}`);
      visitors.push(visitor);
    }
    const arrivals = [...visitors];
    const together = new CaseLog();
    let allEchoed = visitors.length === Math.min(3, options.maxClients);
    for (const [i, visitor] of [...visitors.entries()].reverse()) {
      const message = `client ${"ABC"[i]} again`;
      const heard = await asked(course, together, "ABC"[i], visitor, message);
      allEchoed &&= echoes(textOf(heard), message);
    }
    cases.push(
      allEchoed
        ? together.judge(
          item(3),
          "pass",
          `${visitors.length} clients connected at once, each answered in turn`,
        )
        : together.judge(
          item(3),
          "fail",
          "not every client connected at once was answered",
        ),
    );
    // 4: one client more than the limit.
    cases.push(await judgeOverLimit(course, options, findings));
    // 6: exit frees a slot.
    const exit = new CaseLog();
    const leaving = visitors.splice(1, 1)[0];
    if (leaving !== undefined) {
      const bye = await course.leave(leaving);
      exit.note(
        `B sent exit; got ${bye === null ? "(was closed)" : quote(bye)}`,
      );
    }
    const next = await course.visit();
    if (next instanceof Error) {
      exit.note(`client D could not connect: ${next.message}`);
      cases.push(
        exit.judge(item(6), "fail", "no new client could connect after exit"),
      );
    } else {
      exit.note(`client D connected; greeted with ${quote(next.greeting)}`);
      const heard = await asked(course, exit, "D", next, "hello from D");
      const served = echoes(textOf(heard), "hello from D");
      if (served) {
        visitors.push(next);
        arrivals.push(next);
      }
      cases.push(
        served
          ? exit.judge(item(6), "pass", "a new client took the freed slot")
          : exit.judge(
            item(6),
            "fail",
            "the new client was not served after exit",
          ),
      );
    }
    // 7: status, after one has left; and 2, names from status when no
    // greeting gave them.
    const status = new CaseLog();
    const statusText = textOf(
      await asked(course, status, "A", first, "status"),
    );
    if (arrivals.some((v) => v.number === null)) {
      const names = namesFromStatus(statusText, arrivals, visitors);
      many.note(
        `no greeting named the clients; status names ${
          names.map((n) => `Client${String(n).padStart(2, "0")}`).join(", ") ||
          "none"
        }, taken as theirs in the order they connected where they match`,
      );
    }
    cases.push(judgeNames(many, arrivals.slice(0, 3)));
    cases.push(judgeStatus(status, statusText, visitors, leaving));
    // 8 and 9: the files.
    cases.push(...await judgeFiles(course, first, options, findings));
    for (const visitor of visitors) await course.leave(visitor);
  } finally {
    await course.closeAll();
  }
  const order = (c: CaseResult) =>
    RUBRIC.findIndex((about) => about.id === c.id);
  return { cases: cases.sort((a, b) => order(a) - order(b)), findings };
}

/**
 * Why a server cannot be graded by a plain-text client with no token, from
 * its greeting and first reply; `null` when it can.
 */
function whyUngradable(greeting: Heard, reply: Heard): string | null {
  for (const heard of [greeting, reply]) {
    const [first, second] = heard.bytes;
    // A TLS record: an alert (21) or a handshake (22), version 3.x.
    if ((first === 21 || first === 22) && second === 3) {
      return "the server speaks TLS, and the grader speaks plain TCP only";
    }
  }
  return /^530 /m.test(textOf(reply))
    ? "the server wants a token first (530), and the grader has none to give"
    : null;
}
