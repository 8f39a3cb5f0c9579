/**
 * The rubric's bonus items: `list`, and a file that must arrive byte for
 * byte, checked against the bytes given or the digest the server gives.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { CaseLog, type CaseResult } from "./cases.ts";
import {
  type Course,
  echoes,
  quote,
  quoteSent,
  textOf,
  type Visitor,
} from "../course/mod.ts";
import { asked, type Findings, item, type RubricOptions } from "./items.ts";

/**
 * File names in a `list` reply: words with an extension, on lines whose
 * reply code (`212-`), if any, is set aside.
 */
function fileNames(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) =>
    line.replace(/^\d{3}[- ]/, "")
  );
  return lines.flatMap((line) =>
    [...line.matchAll(
      /(?:^|[\s'",[])(\w[\w.-]*\.[A-Za-z][A-Za-z0-9]{0,7})(?=$|[\s'",\]])/g,
    )]
      .map((match) => match[1])
  );
}

/**
 * The ways course servers are asked for a file, `NAME` standing for its
 * name: ackline's `get`, the name alone, or the name after `list`.
 */
export const FILE_REQUESTS: readonly (readonly string[])[] = [
  ["get NAME"],
  ["NAME"],
  ["list", "NAME"],
];

/** Words of a reply that refuses a request. */
const REFUSAL =
  /not (?:be )?found|does ?n[o']t exist|no such|not exist|invalid|unknown|error/i;

/**
 * Whether `text` refuses the request: an error code (`550 …`) or, short,
 * words that say so.
 */
function refusal(text: string): boolean {
  return /^[45]\d\d[ -]/.test(text) ||
    (text.length < 200 && REFUSAL.test(text));
}

export async function judgeFiles(
  course: Course,
  asker: Visitor,
  options: RubricOptions,
  findings: Findings,
): Promise<CaseResult[]> {
  const listLog = new CaseLog();
  const listed = textOf(await asked(course, listLog, "A", asker, "list"));
  const names = fileNames(listed);
  const list = listed.trim() === ""
    ? listLog.judge(item(8), "fail", "list got no answer")
    : echoes(listed, "list")
    ? listLog.judge(item(8), "fail", "list was echoed as a message")
    : names.length === 0 && refusal(listed)
    ? listLog.judge(item(8), "fail", "list was refused")
    : listLog.judge(
      item(8),
      "pass",
      names.length > 0
        ? `names ${names.slice(0, 5).join(", ")}`
        : "answered, with no file named",
    );
  const log = new CaseLog();
  const name = options.file ?? names[0] ?? null;
  if (name === null) {
    return [
      list,
      log.judge(item(9), "skip", "no file to fetch: name one with --file NAME"),
    ];
  }
  findings.fileName = name;
  for (const form of FILE_REQUESTS) {
    const steps = form.map((step) => step.replace("NAME", name));
    let heard = await course.ask(asker, steps[0]);
    log.note(`A sent ${quoteSent(steps[0])}; got ${quote(heard)}`);
    for (const step of steps.slice(1)) {
      heard = await course.ask(asker, step);
      log.note(`A sent ${quoteSent(step)}; got ${quote(heard)}`);
    }
    const text = textOf(heard);
    const last = steps[steps.length - 1];
    const refused = heard.bytes.length < 200 && refusal(text);
    if (heard.bytes.length === 0 || echoes(text, last) || refused) continue;
    findings.fileRequest = form;
    const verdict = fileVerdict(heard.bytes, options.expect);
    findings.fileIntact = verdict.intact;
    return [
      list,
      log.judge(
        item(9),
        verdict.intact === null ? "skip" : verdict.intact ? "pass" : "fail",
        verdict.reason,
      ),
    ];
  }
  return [
    list,
    log.judge(item(9), "fail", `no request for ${name} brought a file`),
  ];
}

/** Whether a file reply holds the file: the expected bytes, or an ackline download that checks out. */
function fileVerdict(
  bytes: Uint8Array,
  expect: Uint8Array | null,
): { intact: boolean | null; reason: string } {
  const reply = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (expect !== null) {
    return reply.indexOf(Buffer.from(expect)) >= 0
      ? {
        intact: true,
        reason: `all ${expect.length} bytes arrived as given with --expect`,
      }
      : {
        intact: false,
        reason:
          `the ${expect.length} bytes given with --expect did not arrive as they are`,
      };
  }
  // An ackline download: `150 <size> <name>`, the bytes, `226 SHA-256 <hex>`.
  const header = /^\d{3} (\d+) [^\n]*\n/.exec(
    reply.subarray(0, 4096).toString("latin1"),
  );
  if (header !== null) {
    const size = Number(header[1]);
    const start = header[0].length;
    const body = reply.subarray(start, start + size);
    const digest = /[0-9a-f]{64}/.exec(
      reply.subarray(start + size).toString("latin1"),
    );
    if (digest !== null && body.length === size) {
      const actual = createHash("sha256").update(body).digest("hex");
      return actual === digest[0]
        ? {
          intact: true,
          reason: `${size} bytes, their SHA-256 as the server announced`,
        }
        : {
          intact: false,
          reason: "the bytes do not match the SHA-256 the server announced",
        };
    }
  }
  return {
    intact: null,
    reason:
      "a reply came, but nothing to compare it with: give the file's bytes with --expect FILE",
  };
}
