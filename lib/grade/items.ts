/**
 * The rubric's items as the course gives them, what grading them needs,
 * and what it learns on the way.
 *
 * @module
 */

import { CaseLog } from "./cases.ts";
import {
  type Course,
  type Heard,
  quote,
  quoteSent,
  type Visitor,
} from "../course/mod.ts";

/** The rubric's items, as the course gives them. */
export const RUBRIC = [
  { id: "rubric/1", title: "server and client", max: 20 },
  { id: "rubric/2", title: "names Client01, Client02 … in order", max: 10 },
  { id: "rubric/3", title: "several clients at once", max: 20 },
  {
    id: "rubric/4",
    title: "over the limit, a client is refused or told",
    max: 10,
  },
  { id: "rubric/5", title: 'messages echoed with "ACK"', max: 20 },
  { id: "rubric/6", title: "exit frees the slot for a new client", max: 10 },
  {
    id: "rubric/7",
    title: "status lists clients, connect and disconnect times",
    max: 10,
  },
  { id: "rubric/8", title: "list shows the files", max: 10, bonus: true },
  {
    id: "rubric/9",
    title: "a file arrives byte for byte",
    max: 20,
    bonus: true,
  },
] as const;

/** What grading needs besides the server. */
export interface RubricOptions {
  /** The most clients the server should serve at once. */
  maxClients: number;
  /** The file to fetch; else the first that `list` names. */
  file: string | null;
  /** The bytes that file must arrive as. */
  expect: Uint8Array | null;
  /** How long a client over the limit may wait to be answered. */
  overLimitWaitMs: number;
}

/** What the rubric learned that the robustness cases use. */
export interface Findings {
  /** How the server is asked for a file, `NAME` standing for its name. */
  fileRequest: readonly string[] | null;
  /** A file the server serves. */
  fileName: string | null;
  /** Whether that file arrived as expected (`null`: not compared). */
  fileIntact: boolean | null;
  /** What a client over the limit heard, and when. */
  overLimit: Heard | null;
  /** Why the server could not be graded at all, if it could not. */
  blocked: string | null;
}

/** The rubric's item `n`, counted from 1. */
export const item = (n: number): typeof RUBRIC[number] => RUBRIC[n - 1];

/** Sends `message` on `visitor`, noting both sides in `log`. */
export async function asked(
  course: Course,
  log: CaseLog,
  who: string,
  visitor: Visitor,
  message: string,
  waitMs?: number,
): Promise<Heard> {
  const heard = await course.ask(visitor, message, waitMs);
  log.note(`${who} sent ${quoteSent(message)}; got ${quote(heard)}`);
  return heard;
}
