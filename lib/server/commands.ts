/**
 * The command table: each request word of the protocol (its arguments
 * parse in `wire/requests.ts`) and the handler that answers it. The table's
 * type lists every request, so a request without a handler fails
 * `deno check`.
 *
 * @module
 */

import {
  ReplyWriter,
  type Request,
  type RequestArguments,
  type RequestName,
} from "../wire/mod.ts";
import type { ConnectionCache } from "./cache.ts";
import type { DigestCache } from "./digest_cache.ts";
import { listFiles, sendFile } from "./files.ts";
import type { Logger } from "./log.ts";
import type { FileRepository } from "./repository.ts";
import { formatStatus } from "./status.ts";

/** What every session of one server shares. */
export interface ServerContext {
  /** Every client accepted since start. */
  readonly cache: ConnectionCache;
  /** The folder `list` and `get` serve. */
  readonly repository: FileRepository;
  /** Digests of files already sent. */
  readonly digests: DigestCache;
  /** Where log lines go. */
  readonly log: Logger;
  /** The wall clock, for the times people see. */
  readonly now: () => Date;
}

/** What a handler works with: one client's request. */
export interface RequestContext {
  /** The client's name, e.g. `Client01`. */
  readonly client: string;
  /** Where the reply goes; it leaves with the next flush. */
  readonly out: ReplyWriter;
  /** The state all sessions share. */
  readonly server: ServerContext;
  /** Aborts when the connection is being stopped. */
  readonly signal: AbortSignal;
  /** Writes the replies collected so far. */
  flush(): Promise<void>;
  /** Writes raw bytes after the collected replies have been flushed. */
  send(chunk: Uint8Array): Promise<void>;
}

/** `"close"` ends the connection once the reply is written. */
export type CommandResult = void | "close";

/** Answers one kind of request. */
export type CommandHandler<A> = (
  request: RequestContext,
  args: A,
) => CommandResult | Promise<CommandResult>;

function replyStatus({ out, server }: RequestContext): void {
  const { lines, summary } = formatStatus(server.cache.records(), server.now());
  out.status(lines, summary);
}

function sayGoodbye({ out, client }: RequestContext): CommandResult {
  out.goodbye(client);
  return "close";
}

function replyTime({ out, server }: RequestContext): void {
  out.time(server.now());
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
};

/** Runs the handler of `request`. */
export function runCommand<K extends RequestName>(
  context: RequestContext,
  request: Request<K>,
): CommandResult | Promise<CommandResult> {
  return COMMANDS[request.name](context, request.args);
}
