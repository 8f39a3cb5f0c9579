/**
 * The command table: each request word of the protocol (its arguments
 * parse in `wire/requests.ts`) and the handler that answers it. The table's
 * type lists every request, so a request without a handler fails
 * `deno check`.
 *
 * @module
 */

import type { Request, RequestArguments, RequestName } from "../wire/mod.ts";
import type {
  CommandHandler,
  CommandResult,
  RequestContext,
} from "./context.ts";
import { listFiles, sendFile } from "./files.ts";
import { introduce } from "./hello.ts";
import { formatStatus } from "./status.ts";

function replyStatus({ out, server }: RequestContext): void {
  const { cache } = server;
  const { lines, summary } = formatStatus(cache.records(), server.now(), {
    accepted: cache.size,
    forgotten: cache.forgotten,
  });
  out.status(lines, summary);
}

function sayGoodbye({ out, client }: RequestContext): CommandResult {
  out.goodbye(client);
  return "close";
}

function replyTime({ out, server }: RequestContext): void {
  out.time(server.now());
}

function replyOk({ out }: RequestContext): void {
  out.ok();
}

/** Every request and its handler. */
export const COMMANDS: {
  readonly [K in RequestName]: CommandHandler<RequestArguments[K]>;
} = {
  status: replyStatus,
  exit: sayGoodbye,
  list: listFiles,
  get: sendFile,
  time: replyTime,
  noop: replyOk,
  hello: introduce,
};

/** Runs the handler of `request`. */
export function runCommand<K extends RequestName>(
  context: RequestContext,
  request: Request<K>,
): CommandResult | Promise<CommandResult> {
  return COMMANDS[request.name](context, request.args);
}
