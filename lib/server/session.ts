/**
 * One client's session, from greeting to close: requests are taken from
 * the connection a read at a time, answered through the command table (or
 * echoed), and every reply to one read leaves in one write.
 *
 * @module
 */

import {
  escapeControl,
  formatDuration,
  formatTimestamp,
} from "../common/mod.ts";
import {
  type CloseReason,
  isUtf8,
  LineTooLongError,
  parseRequest,
  type Request,
  type RequestName,
} from "../wire/mod.ts";
import { runCommand } from "./commands.ts";
import type { RequestContext, ServerContext, SessionState } from "./context.ts";
import { type ClientConnection, isDisconnect } from "./connection.ts";
import { FLUSH_BYTES } from "./defaults.ts";

/** What a connection may ask before it has given the token. */
const BEFORE_TOKEN: ReadonlySet<RequestName> = new Set<RequestName>([
  "hello",
  "noop",
  "exit",
]);

function requestContext(
  connection: ClientConnection,
  client: string,
  server: ServerContext,
  session: SessionState,
): RequestContext {
  return {
    client,
    server,
    session,
    out: connection.out,
    signal: connection.signal,
    flush: () => connection.flush(),
    send: (chunk) => connection.send(chunk),
  };
}

/** Why the server ended a session, in words for the log. */
function stopWords(reason: CloseReason): string {
  switch (reason.kind) {
    case "shutdown":
      return "server shutting down";
    case "idle":
      return `idle for ${reason.timeoutMs / 1000} s`;
    case "full":
      return "server full";
    case "evicted":
      return "made room: no request while the server was full";
    case "stalled":
      return `took no reply bytes for ${reason.stallMs / 1000} s`;
    case "wrong-tokens":
      return `wrong token ${reason.tries} times`;
    case "protected":
      return "protected mode: not from this machine";
  }
}

/** Whether `bytes` start as a TLS handshake record does: 0x16 0x03. */
function isTlsRecord(bytes: Uint8Array): boolean {
  return bytes[0] === 0x16 && bytes[1] === 0x03;
}

/** Why the connection failed, in words for the log. */
function failureWords(connection: ClientConnection, error: unknown): string {
  if (error instanceof LineTooLongError) return "line too long";
  // On a TLS server: a client that did not speak TLS, or gave up on it.
  if (error instanceof Deno.errors.InvalidData) {
    return `TLS handshake failed: ${escapeControl(error.message)}`;
  }
  const stopReason = connection.stopReason;
  // Closed by the grace timer while writing to a client that does not read,
  // or a transfer given up because the connection was being stopped.
  if (
    stopReason !== null &&
    (connection.closed ||
      (error instanceof Error && error.name === "AbortError"))
  ) {
    return stopWords(stopReason);
  }
  if (error instanceof Deno.errors.ConnectionReset) {
    return "reset by the client";
  }
  if (isDisconnect(error)) return "the client went away";
  return `error: ${escapeControl(String(error))}`;
}

/**
 * Serves the client on `connection` until it leaves or is stopped, then
 * records the disconnect, logs why, calls `onEnd`, and closes (lingering,
 * see `linger.ts`). Never throws.
 */
export async function runSession(
  connection: ClientConnection,
  client: string,
  server: ServerContext,
  onEnd?: () => void,
): Promise<void> {
  let why = "the client went away";
  try {
    connection.start();
    connection.out.greeting(client);
    await connection.flush();
    why = await serveRequests(connection, client, server);
  } catch (error) {
    why = failureWords(connection, error);
    if (error instanceof LineTooLongError) {
      connection.out.clear();
      connection.out.lineTooLong(error.limit);
      await connection.flush().catch(() => {});
    } else if (why.startsWith("error: ")) {
      const text = escapeControl(String(error));
      server.log("ERROR", `${client}: ${text}`, { client, error: text });
    }
  } finally {
    // Recorded, and the slot given back, when the session ends, not after
    // the lingering close: from then on the client is gone.
    const at = server.now();
    const record = server.cache.disconnect(client, at);
    const durationMs = record === null
      ? 0
      : Math.max(0, at.getTime() - record.connectedAt.getTime());
    server.log(
      "DISCONNECTED",
      `${client} at ${formatTimestamp(at)} after ${
        formatDuration(durationMs, "short")
      } (${why})`,
      { client, reason: why, durationMs },
    );
    onEnd?.();
    await connection.finish();
  }
}

/**
 * Reads, answers every complete line the read brought, and writes the
 * replies at once. Echoes are answered here; requests go to the command
 * table. The loop stays in one function on purpose: awaiting a separate
 * function per read cost 40% of pipelined throughput when measured.
 */
async function serveRequests(
  connection: ClientConnection,
  client: string,
  server: ServerContext,
): Promise<string> {
  const { lines, out } = connection;
  const session: SessionState = {
    authenticated: server.token === null,
    wrongTokens: 0,
    closeWhy: null,
  };
  // Made at the first request: most lines are echoes, and an idle
  // connection should not pay for it.
  let request: RequestContext | undefined;
  // A TLS client on this plain server sends a handshake record first.
  let firstBytesSeen = server.access.tls;
  for (;;) {
    const stopReason = connection.stopReason;
    if (stopReason !== null) {
      out.closing(stopReason);
      await connection.flush();
      return stopWords(stopReason);
    }
    if (!firstBytesSeen && lines.buffered > 0) {
      firstBytesSeen = true;
      if (isTlsRecord(lines.pending())) {
        return "spoke TLS to this plain-text server";
      }
    }
    // Lines already buffered first: a client admitted to a full server
    // has sent one while it waited.
    let answered = false;
    while (lines.next()) {
      answered = true;
      const bytes = lines.bytes;
      const start = lines.lineStart;
      const end = lines.lineEnd;
      if (!isUtf8(bytes, start, end)) {
        out.notUtf8();
        continue;
      }
      const command = parseRequest(bytes, start, end);
      if (server.logRequests) logRequest(server, client, command, end - start);
      if (
        !session.authenticated &&
        (command === null || !BEFORE_TOKEN.has(command.name))
      ) {
        out.authRequired(client);
      } else if (command === null) out.echo(bytes, start, end);
      else if (
        await runCommand(
          request ??= requestContext(connection, client, server, session),
          command,
        ) === "close"
      ) {
        await connection.flush();
        return session.closeWhy ?? "left with exit";
      }
      if (out.length >= FLUSH_BYTES) await connection.flush();
    }
    if (answered) {
      // Lines without the token a server wants are answered, but neither
      // keep a slot from a newcomer nor keep the connection from idling.
      if (session.authenticated) connection.requested();
      await connection.flush();
    }
    if (!await connection.read()) {
      const stopped = connection.stopReason;
      return stopped === null ? "closed by the client" : stopWords(stopped);
    }
  }
}

/**
 * Logs one request (`--verbose`): the request and its argument, or the
 * size of a message to echo, never the message itself.
 */
function logRequest(
  server: ServerContext,
  client: string,
  request: Request | null,
  bytes: number,
): void {
  if (request === null) {
    server.log("REQUEST", `${client} sent a message of ${bytes} bytes`, {
      client,
      request: "echo",
      bytes,
    });
    return;
  }
  // Of `hello`, the name and program: never the token.
  const shown = request.name === "hello"
    ? request.args.split(" ").slice(0, 2).join(" ")
    : request.args;
  const args = typeof shown === "string" && shown !== ""
    ? ` ${escapeControl(shown)}`
    : "";
  server.log("REQUEST", `${client} ${request.name}${args}`, {
    client,
    request: request.name,
  });
}
