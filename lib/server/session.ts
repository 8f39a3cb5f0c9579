/**
 * One client's session, from greeting to close: requests are taken from
 * the connection a read at a time, answered through the command table (or
 * echoed), and every reply to one read leaves in one write.
 *
 * @module
 */

import {
  type Clock,
  escapeControl,
  formatDuration,
  formatTimestamp,
} from "../common/mod.ts";
import {
  Code,
  COMMANDS,
  isTlsHandshake,
  isUtf8,
  LineTooLongError,
  parseRequest,
  type Request,
  showArguments,
} from "../wire/mod.ts";
import { runCommand } from "./commands.ts";
import { FLUSH_BYTES } from "./config.ts";
import type { ClientConnection } from "./connection.ts";
import type {
  CommandResult,
  RequestContext,
  ServerContext,
  SessionState,
} from "./context.ts";
import { describeFault, endOf, endWords, type SessionEnd } from "./ends.ts";
import { authRequiredText } from "./hello.ts";

function requestContext(
  connection: ClientConnection,
  client: string,
  server: ServerContext,
  session: SessionState,
): RequestContext {
  return {
    client,
    host: connection.remoteAddr.hostname,
    server,
    session,
    out: connection.out,
    signal: connection.signal,
    flush: () => connection.flush(),
    send: (chunk) => connection.send(chunk),
  };
}

/**
 * Who hears of a session's end: once its client is gone (its slot may be
 * given to another), and once its socket is closed. One object for every
 * session, told which connection: a closure per session would cost each
 * idle connection memory.
 */
export interface SessionOwner {
  /** The client on `connection` is gone: recorded and logged. */
  ended(connection: ClientConnection): void;
  /** The socket of a session that ended is closed, its linger done. */
  finished(connection: ClientConnection): void;
}

/**
 * Serves the client on `connection` until it leaves or is stopped, then
 * records the disconnect, logs why, tells `owner`, and closes (lingering,
 * see `linger.ts`). Never throws.
 */
export async function runSession(
  connection: ClientConnection,
  client: string,
  server: ServerContext,
  owner?: SessionOwner,
): Promise<void> {
  let end: SessionEnd = { kind: "gone" };
  try {
    connection.start();
    connection.out.greeting(client);
    await connection.flush();
    // Most connections wait a while after the greeting; one that speaks
    // gets its reply buffer back at its first reply.
    connection.out.release();
    end = await serveRequests(connection, client, server);
  } catch (error) {
    end = endOf(error, connection.stopReason, connection.closed);
    if (error instanceof LineTooLongError) {
      connection.out.clear();
      connection.out.line(
        Code.BadLine,
        `Line is longer than ${error.limit} bytes; closing`,
      );
      await connection.flush().catch(() => {});
    } else if (end.kind === "failed") {
      const text = describeFault(error);
      server.log("ERROR", `${client}: ${text}`, { client, error: text });
    }
  } finally {
    // Recorded, and the slot given back, when the session ends, not after
    // the lingering close: from then on the client is gone (unless it was
    // recorded gone already, when its slot went to a newcomer).
    const now = server.clock.date();
    const record = server.cache.disconnect(client, now);
    const at = record?.disconnectedAt ?? now;
    const durationMs = record === null
      ? 0
      : Math.max(0, at.getTime() - record.connectedAt.getTime());
    const why = endWords(end);
    server.log(
      "DISCONNECTED",
      `${client} at ${formatTimestamp(at)} after ${
        formatDuration(durationMs)
      } (${why})`,
      { client, reason: why, durationMs },
    );
    owner?.ended(connection);
    try {
      await connection.finish();
    } finally {
      owner?.finished(connection);
    }
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
): Promise<SessionEnd> {
  const { lines, out } = connection;
  const session: SessionState = {
    authenticated: server.token === null,
    wrongTokens: 0,
    closing: null,
  };
  const { logRequests } = server.config;
  // Made at the first request: most lines are echoes, and an idle
  // connection should not pay for it.
  let request: RequestContext | undefined;
  // A TLS client on this plain server sends a handshake record first.
  let firstBytesSeen = server.access.tls;
  const { lineGapMs } = server.config.timings;
  // Set when a client that sends no line end has been silent after its
  // message for the line gap: the bytes then count as a line.
  let partialDue = false;
  for (;;) {
    const stopReason = connection.stopReason;
    if (stopReason !== null) {
      out.closing(stopReason);
      await connection.flush();
      return { kind: "stopped", reason: stopReason };
    }
    if (!firstBytesSeen && lines.buffered > 0) {
      firstBytesSeen = true;
      if (isTlsHandshake(lines.pending())) return { kind: "spoke-tls" };
    }
    // Lines already buffered first: a client admitted to a full server
    // has sent one while it waited.
    let answered = false;
    // A request counts as activity when it arrives, not once answered (a
    // download may take longer than the idle timeout); one stamp a read.
    // Lines without the token a server wants are answered, but neither
    // keep a slot from a newcomer nor keep the connection from idling.
    let stamped = false;
    while (lines.next() || (partialDue && lines.takePartial())) {
      partialDue = false;
      answered = true;
      if (!stamped && session.authenticated) {
        stamped = true;
        connection.requested();
      }
      const bytes = lines.bytes;
      const start = lines.lineStart;
      const end = lines.lineEnd;
      if (!isUtf8(bytes, start, end)) {
        out.line(Code.BadLine, "Line is not valid UTF-8; it was ignored");
        continue;
      }
      const command = parseRequest(bytes, start, end);
      if (logRequests) logRequest(server, client, command, end - start);
      if (
        !session.authenticated &&
        (command === null || !COMMANDS[command.name].beforeToken)
      ) {
        out.line(Code.AuthRequired, authRequiredText(client));
      } else if (command === null) out.echo(bytes, start, end);
      else {
        request ??= requestContext(connection, client, server, session);
        connection.answering();
        let result: CommandResult;
        try {
          result = await runCommand(request, command);
        } finally {
          connection.answered();
        }
        if (result === "close") {
          await connection.flush();
          return session.closing === null
            ? { kind: "exit" }
            : { kind: "stopped", reason: session.closing };
        }
      }
      if (out.length >= FLUSH_BYTES) await connection.flush();
    }
    partialDue = false;
    if (answered) {
      // A `hello` that gave the token makes the lines it came with count.
      if (!stamped && session.authenticated) connection.requested();
      await connection.flush();
    }
    if (lineGapMs > 0 && lines.buffered > 0) {
      // Silent after it, or gone (a half-close waits for its answer): the
      // bytes are a line. More bytes: they are read first.
      partialDue = await afterGap(connection, lineGapMs, server.clock) !==
        "more";
      continue;
    }
    const raw = connection.startRead();
    let open: boolean;
    if (raw === null) open = await connection.read();
    else {
      try {
        open = connection.took(await raw);
      } catch (error) {
        connection.took(null);
        throw error;
      }
    }
    if (!open) {
      const stopped = connection.stopReason;
      return stopped === null
        ? { kind: "closed" }
        : { kind: "stopped", reason: stopped };
    }
  }
}

/**
 * What the client does within `ms` of a partial line: stays silent (the
 * read started meanwhile is taken over by the next
 * {@linkcode ClientConnection.read}), sends more, or ends the connection.
 */
async function afterGap(
  connection: ClientConnection,
  ms: number,
  clock: Clock,
): Promise<"silent" | "more" | "ended"> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      connection.readAhead().then((open) => open ? "more" : "ended"),
      clock.sleep(ms, timer.signal).then(() => "silent" as const),
    ]);
  } finally {
    timer.abort();
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
  const shown = showArguments(request);
  const args = shown === "" ? "" : ` ${escapeControl(shown)}`;
  server.log("REQUEST", `${client} ${request.name}${args}`, {
    client,
    request: request.name,
  });
}
