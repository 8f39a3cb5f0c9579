/**
 * `serve()`: a server put together from its parts, listening.
 *
 * @module
 */

import { type Clock, SYSTEM_CLOCK } from "../common/mod.ts";
import { isToken, TOKEN_RULE } from "../wire/mod.ts";
import { acceptLoop, type Acceptor } from "./accept.ts";
import { type AccessPolicy, Token } from "./access.ts";
import { TokenGuard } from "./token_guard.ts";
import { logBanner } from "./banner.ts";
import { ConnectionCache } from "./cache.ts";
import { Clients } from "./clients.ts";
import {
  MAX_STUCK_OPENS,
  resolveConfig,
  type ServerOptions,
} from "./config.ts";
import { DigestCache } from "./digest_cache.ts";
import { HashThreads, MAX_HASH_THREADS } from "./hash_threads.ts";
import type { Logger } from "./log.ts";
import { Opener } from "./opener.ts";
import { FileRepository } from "./repository.ts";
import { TlsFront } from "./tls_front.ts";

/** Options of {@linkcode serve}: a configuration, and where the server reports. */
export interface ServeOptions extends ServerOptions {
  /** Where log lines go. Default: nowhere. */
  log?: Logger;
  /** Where the time comes from. Default: the machine's clock. */
  clock?: Clock;
}

/** A running server. */
export interface Server extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Every client accepted since start. */
  readonly cache: ConnectionCache;
  /** Resolves once the server has stopped and every connection is closed. */
  readonly closed: Promise<void>;
  /** Tells every client the server is shutting down, closes everything. */
  shutdown(): Promise<void>;
}

/**
 * Starts a server and returns once it listens. What `options` leaves out
 * takes its default (`DEFAULTS`, `TIMINGS`).
 *
 * @example Usage
 * ```ts ignore
 * import { serve } from "./serve.ts";
 *
 * await using server = await serve({ port: 0 });
 * console.log(server.addr.port);
 * ```
 *
 * @throws {RangeError} for a token that is not one (see `isToken`).
 * @throws {RepositoryError} if the files folder cannot be served.
 * @throws {Deno.errors.AddrInUse} if the port is taken.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const { log = () => {}, clock = SYSTEM_CLOCK } = options;
  const config = resolveConfig(options);
  const { hostname, port, tls, timings } = config;
  if (config.token !== null && !isToken(config.token)) {
    throw new RangeError(`A token is ${TOKEN_RULE}`);
  }
  const repository = await FileRepository.open(
    config.filesDir,
    new Opener({
      clock,
      timeoutMs: timings.openTimeoutMs,
      maxStuck: MAX_STUCK_OPENS,
    }),
  );
  const access: AccessPolicy = {
    hostname,
    token: config.token !== null,
    open: config.open,
    tls: tls !== null,
  };
  const front = tls === null ? null : TlsFront.listen({
    hostname,
    port,
    ...tls,
    clock,
    drainMs: timings.closeGraceMs,
  });
  const listener: Acceptor & { addr: Deno.NetAddr; close(): void } = front ??
    Deno.listen({ hostname, port, transport: "tcp" });
  const cache = new ConnectionCache(config.history);
  const hashThreads = new HashThreads({
    max: MAX_HASH_THREADS,
    idleMs: timings.hashThreadIdleMs,
    clock,
  });
  const clients = new Clients({
    cache,
    repository,
    digests: new DigestCache(),
    hashThreads,
    log,
    config,
    access,
    token: config.token === null
      ? null
      : new TokenGuard(new Token(config.token), clock, config.timings),
    clock,
  });
  logBanner(log, {
    addr: listener.addr,
    listing: await repository.list().catch(() => null),
    config,
    access,
  });
  const stopping = new AbortController();
  const closed = acceptLoop(listener, (conn) => clients.accept(conn), {
    log,
    signal: stopping.signal,
    clock,
    beforeAccept: () => clients.beforeAccept(),
  }).then(() => clients.drained()).then(() => front?.drained())
    .finally(() => hashThreads.close());
  async function shutdown(): Promise<void> {
    if (!stopping.signal.aborted) {
      stopping.abort();
      listener.close();
      clients.stopAll();
    }
    await closed;
  }
  return {
    addr: listener.addr,
    cache,
    closed,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
