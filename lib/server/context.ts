/**
 * What a command handler works with: the state every session of a server
 * shares, and the one request being answered.
 *
 * @module
 */

import type { Clock } from "../common/mod.ts";
import type { CloseReason, ReplyWriter } from "../wire/mod.ts";
import type { ConnectionCache } from "./cache.ts";
import type { ServerConfig, Timings } from "./config.ts";
import type { DigestCache } from "./digest_cache.ts";
import type { HashThreads } from "./hash_threads.ts";
import type { IdleSweep } from "./idle.ts";
import type { LingerPlaces } from "./linger.ts";
import type { AccessPolicy } from "./access.ts";
import type { Logger } from "./log.ts";
import type { Repository } from "./repository.ts";
import type { TokenGuard } from "./token_guard.ts";

/** What every session of one server shares. */
export interface ServerContext {
  /** Every client accepted since start. */
  readonly cache: ConnectionCache;
  /** The folder `list` and `get` serve. */
  readonly repository: Repository;
  /** Digests of files already sent. */
  readonly digests: DigestCache;
  /** Threads that hash large downloads beside their writes. */
  readonly hashThreads: HashThreads;
  /** Where log lines go. */
  readonly log: Logger;
  /** What the server is set to do. */
  readonly config: ServerConfig;
  /** Who may connect, and how. */
  readonly access: AccessPolicy;
  /** Judges the token clients must present in `hello`; `null` for none. */
  readonly token: TokenGuard | null;
  /** Where the time comes from. */
  readonly clock: Clock;
}

/** What the server knows of one connection beyond its socket. */
export interface SessionState {
  /** Whether it may make requests: it gave the token, or none is needed. */
  authenticated: boolean;
  /** Wrong tokens it has sent. */
  wrongTokens: number;
  /** Why the server ends the session, when a handler ends it other than for `exit`. */
  closing: CloseReason | null;
}

/** What a handler works with: one client's request. */
export interface RequestContext {
  /** The client's name, e.g. `Client01`. */
  readonly client: string;
  /** The client's address, without its port. */
  readonly host: string;
  /** What the server knows of this connection. */
  readonly session: SessionState;
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

/** What a `ClientConnection` (`connection.ts`) needs of its server. */
export interface ClientConnectionOptions {
  /** Longest request line in bytes. */
  maxLineBytes: number;
  /** The idle timeout and stall limit (see `idle.ts`), and the close grace. */
  timings: Pick<Timings, "idleMs" | "stallMs" | "closeGraceMs">;
  /** Where the time comes from. */
  clock: Clock;
  /** The server's places for lingering closes. */
  lingering: LingerPlaces;
  /** The server's idle watch. */
  idle: IdleSweep;
}
