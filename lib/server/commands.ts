/**
 * The handler of each request of the command table (`wire/commands.ts`).
 * The table's type lists every request, so a request without a handler
 * fails `deno check`.
 *
 * @module
 */

import { formatIsoTime } from "../common/mod.ts";
import {
  COMMANDS,
  type Request,
  type RequestArguments,
  type RequestName,
} from "../wire/mod.ts";
import type {
  CommandHandler,
  CommandResult,
  RequestContext,
} from "./context.ts";
import { listFiles, resumeFile, sendFile } from "./files.ts";
import { introduce } from "./hello.ts";
import { formatStatus } from "./status.ts";

function replyStatus({ out, server }: RequestContext): void {
  const { cache } = server;
  const { lines, summary } = formatStatus(
    cache.records(),
    server.clock.date(),
    {
      accepted: cache.size,
      forgotten: cache.forgotten,
    },
  );
  out.lines(COMMANDS.status.code, lines, summary);
}

function sayGoodbye({ out, client }: RequestContext): CommandResult {
  out.line(COMMANDS.exit.code, `Goodbye ${client}`);
  return "close";
}

function replyTime({ out, server }: RequestContext): void {
  out.line(COMMANDS.time.code, formatIsoTime(server.clock.date()));
}

function replyName({ out, client }: RequestContext): void {
  out.line(COMMANDS.whoami.code, client);
}

function replyOk({ out }: RequestContext): void {
  out.line(COMMANDS.noop.code, "OK");
}

/** Every request and its handler. */
export const HANDLERS: {
  readonly [K in RequestName]: CommandHandler<RequestArguments[K]>;
} = {
  status: replyStatus,
  list: listFiles,
  get: sendFile,
  resume: resumeFile,
  time: replyTime,
  whoami: replyName,
  exit: sayGoodbye,
  noop: replyOk,
  hello: introduce,
};

/** Runs the handler of `request`. */
export function runCommand<K extends RequestName>(
  context: RequestContext,
  request: Request<K>,
): CommandResult | Promise<CommandResult> {
  return HANDLERS[request.name](context, request.args);
}
