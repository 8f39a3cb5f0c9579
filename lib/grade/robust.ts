/**
 * Beyond the rubric: what a hostile or careless client does to a server,
 * each case bounded in time and ending with a check that the server still
 * serves a newcomer.
 *
 * @module
 */

import { CaseLog, type CaseResult } from "./cases.ts";
import { type Course, Peer, quote, quoteSent, textOf } from "../course/mod.ts";
import type { Findings } from "./items.ts";
import { AFTERWARDS, robust, stillServes, survives } from "./survival.ts";

/** Paths outside the served folder, in the forms a careless check lets by. */
const TRAVERSALS = [
  "../server.py",
  "../../etc/passwd",
  "..\\server.py",
  "/etc/passwd",
];

/** What a served file outside the folder looks like. */
const LEAKED = /import socket|^\s*def \w+\(|root:[^:\n]*:0:0:/m;

/** Runs the robustness cases, each on connections of its own. */
export async function gradeRobust(
  course: Course,
  findings: Findings,
  expect: Uint8Array | null,
  slots: number,
): Promise<CaseResult[]> {
  const cases: CaseResult[] = [judgeBinary(findings, expect)];
  try {
    cases.push(judgeOverLimit(findings));
    // The gentle cases first: a careless server may lose a slot to each
    // of the rough ones after.
    cases.push(await judgePipelined(course, slots));
    cases.push(await judgeTraversal(course, findings));
    cases.push(await judgeSilent(course, slots));
    cases.push(
      await survives(
        course,
        slots,
        robust("long-line", "a 100 KB message"),
        async (visitor, log) => {
          const heard = await course.ask(visitor, "x".repeat(100_000));
          log.note(`sent 100,000 characters; got ${quote(heard)}`);
        },
      ),
    );
    cases.push(
      await survives(
        course,
        slots,
        robust("invalid-utf8", "bytes that are not UTF-8"),
        async (visitor, log) => {
          const bytes = new Uint8Array([0xff, 0xfe, 0x41, 0xc3]);
          const heard = await course.ask(visitor, bytes);
          log.note(`sent \\xff\\xfe\\x41\\xc3; got ${quote(heard)}`);
        },
      ),
    );
    cases.push(await judgeVanish(course, findings, slots));
  } finally {
    await course.closeAll();
  }
  return cases;
}

function judgeOverLimit(findings: Findings): CaseResult {
  const about = robust(
    "over-limit-answered",
    "a client over the limit is answered, not left hanging",
  );
  const heard = findings.overLimit;
  const log = new CaseLog();
  if (heard === null) {
    return log.judge(about, "pass", "it was refused at connect");
  }
  return heard.bytes.length > 0 || heard.closed
    ? log.judge(about, "pass", `answered ${quote(heard)}`)
    : log.judge(about, "fail", "it heard nothing and stayed connected");
}

/** A connection that never sends a byte, not even a name sent back. */
async function judgeSilent(
  course: Course,
  slots: number,
): Promise<CaseResult> {
  const about = robust(
    "silent-client",
    "a client that says nothing does not stop others",
  );
  const log = new CaseLog();
  const silent = await Peer.open(course.target, course.patience);
  if (silent instanceof Error) {
    return log.judge(about, "fail", `cannot connect: ${silent.message}`);
  }
  try {
    log.note("one client connected and said nothing");
    return await stillServes(course, log, slots - 1)
      ? log.judge(about, "pass", "the other slots were served meanwhile")
      : log.judge(
        about,
        "fail",
        "while it said nothing, no one else was served",
      );
  } finally {
    await silent.close();
  }
}

/** Paths out of the folder, in the server's own way of asking for a file. */
async function judgeTraversal(
  course: Course,
  findings: Findings,
): Promise<CaseResult> {
  const about = robust(
    "traversal",
    "files outside the served folder are refused",
  );
  const log = new CaseLog();
  const form = findings.fileRequest;
  if (form === null) {
    return log.judge(about, "skip", "no file request was found to try");
  }
  let leaked = false;
  let answered = 0;
  for (const path of TRAVERSALS) {
    const visitor = await course.visit();
    if (visitor instanceof Error) break;
    for (const step of form) {
      const request = step.replace("NAME", path);
      const heard = await course.ask(visitor, request);
      log.note(`sent ${quoteSent(request)}; got ${quote(heard)}`);
      if (heard.bytes.length > 0) answered++;
      leaked ||= LEAKED.test(textOf(heard));
    }
    await course.leave(visitor);
  }
  if (leaked) {
    return log.judge(about, "fail", "a file outside the folder was served");
  }
  return answered === 0
    ? log.judge(about, "skip", "the server answered none of them")
    : log.judge(about, "pass", "none was served");
}

/** A download asked for, and the connection closed at once. */
async function judgeVanish(
  course: Course,
  findings: Findings,
  slots: number,
): Promise<CaseResult> {
  const about = robust(
    "vanish-mid-download",
    "a client that vanishes mid-download",
  );
  const form = findings.fileRequest;
  const name = findings.fileName;
  if (form === null || name === null) {
    return new CaseLog().judge(
      about,
      "skip",
      "no file request was found to try",
    );
  }
  return await survives(course, slots, about, async (visitor, log) => {
    const steps = form.map((step) => step.replace("NAME", name));
    for (const step of steps.slice(0, -1)) await course.ask(visitor, step);
    await visitor.peer.send(`${steps.at(-1)}${course.lineEnd ?? ""}`);
    log.note(`asked for ${name} and closed at once`);
  });
}

/** 20 messages in one write: each answered, in order. */
async function judgePipelined(
  course: Course,
  slots: number,
): Promise<CaseResult> {
  const about = robust(
    "pipelined",
    "20 messages sent at once are answered in order",
  );
  const log = new CaseLog();
  if (course.lineEnd !== "\n") {
    return log.judge(
      about,
      "skip",
      "the server takes messages without a line end, so messages sent at once cannot be told apart",
    );
  }
  const visitor = await course.visit();
  if (visitor instanceof Error) {
    return log.judge(about, "fail", `cannot connect: ${visitor.message}`);
  }
  const messages = Array.from({ length: 20 }, (_, i) => `pipelined ${i + 1}`);
  await visitor.peer.send(messages.map((m) => `${m}\n`).join(""));
  const heard = await visitor.peer.hear();
  log.note(`sent 20 messages in one write; got ${quote(heard)}`);
  const text = textOf(heard);
  let at = 0;
  const unanswered = messages.find((message) => {
    const found = text.slice(at).search(new RegExp(`${message}\\s?ACK`));
    if (found < 0) return true;
    at += found + message.length;
    return false;
  });
  await course.leave(visitor);
  if (unanswered !== undefined) {
    return log.judge(
      about,
      "fail",
      `"${unanswered}" was not answered in order`,
    );
  }
  return await stillServes(course, log, slots)
    ? log.judge(about, "pass", "all 20 answered in order")
    : log.judge(about, "fail", AFTERWARDS);
}

/** A binary file of several MB, intact. */
function judgeBinary(
  findings: Findings,
  expect: Uint8Array | null,
): CaseResult {
  const about = robust(
    "binary-file",
    "a binary file of several MB arrives intact",
  );
  const log = new CaseLog();
  if (expect === null || expect.length < 1024 * 1024 || !expect.includes(0)) {
    return log.judge(
      about,
      "skip",
      "name a binary file of 1 MiB or more with --file NAME --expect FILE",
    );
  }
  return findings.fileIntact
    ? log.judge(about, "pass", `its ${expect.length} bytes arrived intact`)
    : log.judge(
      about,
      "fail",
      `its ${expect.length} bytes did not arrive intact`,
    );
}
