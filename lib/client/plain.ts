/**
 * The client's plain mode: talks to any line server as the course's own
 * clients do. Each line goes as the server needs it (with or without a
 * line end, learned from the first), and what comes back until the server
 * is quiet is printed as it is, escaped. No reply codes are expected.
 *
 * @module
 */

import { type Clock, escapeControl } from "../common/mod.ts";
import { Course, type Heard, textOf } from "../course/mod.ts";
import type { ClientCommandLine } from "./cli.ts";
import type { ConnectConfig } from "./config.ts";
import type { PromptOutput } from "./console.ts";
import type { LineInput } from "./line_input.ts";
import { PROMPT } from "./prompt.ts";
import { connectError } from "./start.ts";

/** A reply has ended once the server has been quiet this long. */
export const PLAIN_QUIET_MS = 300;

/**
 * How long a reply may take to begin (or `--timeout`, if shorter): a reply
 * later than that shows after the next line sent.
 */
export const PLAIN_WAIT_MS = 2000;

/**
 * The most of one reply shown: a server that never stops sending costs
 * the client no more memory than this (the rest is counted).
 */
export const PLAIN_MAX_REPLY_BYTES = 1024 * 1024;

/** What {@linkcode runPlain} works with. */
export interface PlainOptions {
  /** What the command line asked for. */
  command: ClientCommandLine;
  /** Where to connect, and how. */
  config: ConnectConfig;
  /** The lines to send, for the prompt; `null` for the one-shot form. */
  input: LineInput | null;
  /** Where text goes. */
  output: PromptOutput;
  /** Where the time comes from. */
  clock: Clock;
}

/** Prints what came back, each line escaped. */
function show(output: PromptOutput, heard: Heard): void {
  const text = textOf(heard).replace(/\r?\n$/, "");
  if (heard.bytes.length > 0) {
    for (const line of text.split(/\r?\n/)) output.print(escapeControl(line));
  }
  if (heard.dropped > 0) {
    output.error(`(${heard.dropped} more bytes not shown)`);
  }
}

/**
 * Connects and runs the one request, or the prompt, in plain mode.
 *
 * @returns the exit code: 0, or 1 when the server went away unasked or
 * never answered the one request.
 * @throws {UserFacingError} when it cannot connect, saying why.
 */
export async function runPlain(options: PlainOptions): Promise<number> {
  const { command, config, input, output, clock } = options;
  const { hostname, port, replyTimeoutMs } = config;
  const where = `${hostname}:${port}`;
  const course = new Course(
    {
      hostname,
      port,
      tls: config.tls === null ? null : { caCerts: config.tls.caCerts },
    },
    {
      quietMs: PLAIN_QUIET_MS,
      waitMs: replyTimeoutMs === 0
        ? PLAIN_WAIT_MS
        : Math.min(replyTimeoutMs, PLAIN_WAIT_MS),
      // With no --timeout, a reply that never falls quiet is still bounded.
      replyMs: replyTimeoutMs === 0 ? 24 * 3600_000 : replyTimeoutMs,
      maxBytes: PLAIN_MAX_REPLY_BYTES,
      clock,
    },
  );
  const visitor = await course.visit();
  if (visitor instanceof Error) throw connectError(visitor, where);
  try {
    show(output, visitor.greeting);
    if (visitor.handshake !== null) output.error(`(${visitor.handshake})`);
    if (input === null) {
      const line = command.oneShot ?? "";
      const heard = await course.ask(visitor, line);
      show(output, heard);
      if (!heard.closed) await course.leave(visitor);
      return heard.bytes.length > 0 || line === "exit" ? 0 : 1;
    }
    for (;;) {
      output.flush();
      const line = await input.next(PROMPT);
      if (line === null) {
        if (!visitor.peer.closed) await course.leave(visitor);
        return 0;
      }
      const heard = await course.ask(visitor, line);
      show(output, heard);
      if (heard.closed) {
        if (line.trim().toLowerCase() === "exit") return 0;
        output.error(`${where} closed the connection`);
        return 1;
      }
    }
  } finally {
    await course.closeAll();
  }
}
