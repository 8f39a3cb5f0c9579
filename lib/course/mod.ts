/**
 * Talking to a server written for the course, as its own clients do: a
 * connection whose replies end when the server falls quiet, and requests
 * sent with or without a line end as the server needs. The grader and
 * the client's plain mode use it.
 *
 * @module
 */

export {
  clientMentions,
  clientNumber,
  Course,
  echoes,
  FULL_WORDS,
  quote,
  quoteSent,
  textOf,
  timesIn,
  type Visitor,
} from "./course.ts";
export {
  type Heard,
  MAX_HEARD_BYTES,
  type Patience,
  Peer,
  type Target,
} from "./peer.ts";
