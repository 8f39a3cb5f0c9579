/**
 * Talking to a course server as its own client would: connections that
 * are greeted (or not), requests sent with or without a line end (learned
 * from the server), and the patterns that find names, times and echoes in
 * whatever words the server uses.
 *
 * @module
 */

import { escapeControl } from "../common/mod.ts";
import { type Heard, type Patience, Peer, type Target } from "./peer.ts";

const decoder = new TextDecoder();

/** The text of what was heard (invalid UTF-8 shown as U+FFFD). */
export function textOf(heard: Heard): string {
  return decoder.decode(heard.bytes);
}

// How much of what was sent or heard evidence quotes, in characters.
const QUOTED = 160;

/**
 * Where text stops and binary data starts: at a byte that is no UTF-8, or
 * a control character other than tab and line ends; -1 for none.
 */
function binaryStart(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const control = c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
    if (control || c === 0x7f || c === 0xfffd) return i;
  }
  return -1;
}

/**
 * What was heard, escaped and cut, as evidence shows it: its text, and of
 * binary data (a file) only how much there was.
 */
export function quote(heard: Heard): string {
  const size = heard.bytes.length + heard.dropped;
  if (size === 0) return heard.closed ? "(closed, nothing)" : "(nothing)";
  const start = decoder.decode(heard.bytes.subarray(0, 4 * QUOTED));
  const binaryAt = binaryStart(start);
  const text = binaryAt < 0 ? start : start.slice(0, binaryAt);
  const shown = escapeControl(text.slice(0, QUOTED));
  const more = binaryAt >= 0 && binaryAt < QUOTED
    ? `${shown === "" ? "" : " … then "}binary data (${size} bytes in all)`
    : size > shown.length
    ? ` … (${size} bytes)`
    : "";
  return `${shown}${more}${heard.closed ? " (then closed)" : ""}`;
}

/** What was sent, escaped and cut, as evidence shows it. */
export function quoteSent(text: string): string {
  const shown = escapeControl(text.slice(0, QUOTED));
  return text.length > QUOTED
    ? `${shown} … (${text.length} characters)`
    : shown;
}

/** A client's name (`Client01`, `client 3`): its number, or `null`. */
export function clientNumber(text: string): number | null {
  const match = /client\s?0*(\d{1,4})\b/i.exec(text);
  return match === null ? null : Number(match[1]);
}

/** Where each client's name starts in `text`, with its number. */
export function clientMentions(text: string): { at: number; n: number }[] {
  return [...text.matchAll(/client\s?0*(\d{1,4})\b/gi)].map((match) => ({
    at: match.index,
    n: Number(match[1]),
  }));
}

/** Times of day in `text` (`04:18`, `04:18:06`). */
export function timesIn(text: string): number {
  return [...text.matchAll(/\b\d{1,2}:\d\d(?::\d\d)?\b/g)].length;
}

/** Whether `reply` echoes `message` with ACK after it. */
export function echoes(reply: string, message: string): boolean {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${escaped}\\s?ACK`).test(reply);
}

/** Words a server uses to say it is full. */
export const FULL_WORDS =
  /full|busy|max(?:imum)?|limit|capacity|try again|later|reject|refus|too many|no room|wait/i;

/** One connection, its greeting, and the name it was given. */
export interface Visitor {
  peer: Peer;
  greeting: Heard;
  /** The number in its name, from the greeting or the first reply. */
  number: number | null;
  /** What it had to do before its first message, if anything. */
  handshake: string | null;
  /** Whether it has had a reply yet (only the first may name it). */
  answered: boolean;
}

/** A greeting that is a name and nothing else (`Client01`). */
const BARE_NAME = /^\s*client\s?0*\d{1,4}\s*$/i;

/**
 * The server as its clients see it: how to connect, and how a
 * request must end (no line end, as the course's clients send, or `\n`),
 * learned from the first request.
 */
export class Course {
  readonly target: Target;
  readonly patience: Patience;
  /** `""` or `"\n"` once learned; `null` before the first request. */
  lineEnd: string | null = null;
  /** Whether the server greets a client; `null` before the first. */
  greets: boolean | null = null;
  /**
   * Whether a client must send back the bare name it was greeted with
   * before its first message, as some course servers want; `null` before
   * the first such greeting.
   */
  nameBack: boolean | null = null;
  readonly #open = new Set<Peer>();

  /** Grades the server at `target` with `patience`. */
  constructor(target: Target, patience: Patience) {
    this.target = target;
    this.patience = patience;
  }

  /**
   * Connects and takes the greeting, if any, waiting `waitMs` for it (the
   * patience's unless given, or only a quiet spell once the server has
   * shown it greets no one); the error when it cannot connect.
   */
  async visit(waitMs?: number): Promise<Visitor | Error> {
    const peer = await Peer.open(this.target, this.patience);
    if (peer instanceof Error) return peer;
    this.#open.add(peer);
    const { quietMs } = this.patience;
    const greeting = await peer.hear(
      waitMs ?? (this.greets === false ? 2 * quietMs : undefined),
    );
    this.greets ??= greeting.bytes.length > 0;
    const visitor: Visitor = {
      peer,
      greeting,
      number: clientNumber(textOf(greeting)),
      handshake: null,
      answered: false,
    };
    const name = textOf(greeting).trim();
    if (BARE_NAME.test(name) && this.nameBack !== false) {
      visitor.handshake = await this.#sendNameBack(peer, name);
    }
    return visitor;
  }

  /**
   * Sends the name a client was greeted with back, if the server wants it
   * (learned with the first: a server that takes it as a message echoes
   * it, with or without a line end; one that wants it says nothing).
   */
  async #sendNameBack(peer: Peer, name: string): Promise<string | null> {
    if (this.nameBack === true) {
      await peer.send(withEnd(name, this.lineEnd ?? ""));
      await peer.hear(2 * this.patience.quietMs);
      return "sent its name back first";
    }
    await peer.send(name);
    const bare = await peer.hear();
    if (bare.bytes.length > 0 || bare.closed) {
      this.nameBack = false;
      this.lineEnd ??= "";
      return null;
    }
    await peer.send("\n");
    const after = await peer.hear();
    if (echoes(textOf(after), name)) {
      this.nameBack = false;
      this.lineEnd = "\n";
      return null;
    }
    this.nameBack = true;
    this.lineEnd ??= "";
    return `the greeting was a bare name, and sent back, it brought no echo: this server wants it back first, as its own clients do (a line end after it brought ${
      quote(after)
    })`;
  }

  /**
   * Sends `message` as the server needs it, and takes the reply. The first
   * request learns how: without a line end first, then with one.
   */
  async ask(
    visitor: Visitor,
    message: string | Uint8Array,
    waitMs?: number,
  ): Promise<Heard> {
    const { peer } = visitor;
    if (this.lineEnd !== null) {
      await peer.send(withEnd(message, this.lineEnd));
      return this.#named(visitor, await peer.hear(waitMs));
    }
    await peer.send(message);
    const bare = await peer.hear();
    if (bare.bytes.length > 0 || bare.closed) {
      this.lineEnd = "";
      return this.#named(visitor, bare);
    }
    this.lineEnd = "\n";
    await peer.send("\n");
    return this.#named(visitor, await peer.hear(waitMs));
  }

  /** Takes a client's name from its first reply, if its greeting had none. */
  #named(visitor: Visitor, heard: Heard): Heard {
    if (!visitor.answered) visitor.number ??= clientNumber(textOf(heard));
    visitor.answered = true;
    return heard;
  }

  /** Says `exit` if it can, then closes. */
  async leave(visitor: Visitor): Promise<Heard | null> {
    const heard = visitor.peer.closed ? null : await this.ask(visitor, "exit");
    await this.drop(visitor);
    return heard;
  }

  /** Closes without a word. */
  async drop(visitor: Visitor): Promise<void> {
    this.#open.delete(visitor.peer);
    await visitor.peer.close();
  }

  /** Closes every connection still open. */
  async closeAll(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.all(open.map((peer) => peer.close()));
  }
}

function withEnd(message: string | Uint8Array, end: string): Uint8Array {
  const body = typeof message === "string"
    ? new TextEncoder().encode(message)
    : message;
  const bytes = new Uint8Array(body.length + end.length);
  bytes.set(body);
  bytes.set(new TextEncoder().encode(end), body.length);
  return bytes;
}
