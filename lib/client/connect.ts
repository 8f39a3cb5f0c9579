/**
 * Connecting: the socket (TCP or TLS, its handshake done), the greeting,
 * the first line sent at once, and `hello` with the token when there is
 * one. A failure says what kind it is, for the program to word.
 *
 * @module
 */

import {
  type Clock,
  escapeControl,
  given,
  isLoopback,
  isTcp,
  SYSTEM_CLOCK,
  VERSION,
} from "../common/mod.ts";
import {
  Code,
  COMMANDS,
  formatIntroduction,
  formatRequest,
  type Reply,
  TOKEN_VARIABLE,
} from "../wire/mod.ts";
import { type ConnectConfig, DEFAULTS } from "./config.ts";
import { ReplyError } from "./errors.ts";
import { Session } from "./session.ts";

/** Options of {@linkcode connect}; what they leave out takes its default. */
export interface ConnectOptions extends Partial<ConnectConfig> {
  /** Where the time comes from. Default: the machine's clock. */
  clock?: Clock;
  /**
   * Told when the token goes to a server beyond this machine in clear
   * text (no TLS), where others on the network may read it.
   */
  onTokenInClear?: () => void;
}

/** What the client says it is in `hello`. */
export const AGENT = `ackline-client/${VERSION}`;

/** Thrown when the server wants a token the client lacks, or does not take it. */
export class TokenRefusedError extends Error {
  /** `wanted`: the server wants a token; `wrong`: it did not take the one given. */
  readonly kind: "wanted" | "wrong";

  /**
   * Creates the error for `kind`, refused to the client named `client`;
   * `said` is the server's words, for a token it did not take.
   */
  constructor(kind: "wanted" | "wrong", client: string, said = "") {
    super(
      kind === "wanted"
        ? `${client}: the server wants a token; set ${TOKEN_VARIABLE} or use --token-file`
        : `The server did not take the token${
          said === "" ? "" : `: ${escapeControl(said)}`
        }`,
    );
    this.name = "TokenRefusedError";
    this.kind = kind;
  }
}

/**
 * Connects to a server and waits for its greeting.
 *
 * @example Usage
 * ```ts ignore
 * import { connect } from "./connect.ts";
 *
 * const session = await connect({ port: 12345 });
 * const reply = await session.request("hello world");
 * console.log(reply.lines[0]); // hello worldACK
 * await session.close();
 * ```
 *
 * @throws {ReplyError} if the server turns the client away (e.g. full).
 * @throws {TokenRefusedError} if it wants a token it does not get.
 * @throws {ConnectionClosedError} if it ends the connection first, or is
 * not an ackline server (the cause says what it sent).
 * @throws {Deno.errors.ConnectionRefused} if no server listens there.
 * @throws {Deno.errors.InvalidData} for a failed TLS handshake.
 */
export async function connect(options: ConnectOptions = {}): Promise<Session> {
  const { clock = SYSTEM_CLOCK } = options;
  const config: ConnectConfig = { ...DEFAULTS, ...configOf(options) };
  const conn = await open(config, clock);
  if (isTcp(conn)) conn.setNoDelay(true);
  const session = new Session(conn, { ...config, clock });
  // Speak at once, before the greeting: a full server makes room for a
  // newcomer that sends a line, never for one that stays silent.
  const greeted = session.greeting();
  const spoken = ask(session, formatRequest("noop"));
  try {
    await greeted;
    // Told at once to go (shutting down): say why.
    const first = await spoken;
    if (first.code === Code.Closing) throw new ReplyError(first);
    await introduce(session, config.token, () => {
      if (crossesNetworkInClear(config)) options.onTokenInClear?.();
    });
  } catch (error) {
    spoken.catch(() => {});
    await session.close();
    throw error;
  }
  return session;
}

/**
 * Whether what is sent to the server crosses a network unencrypted: no
 * TLS, to an address that is not this machine's.
 */
export function crossesNetworkInClear(
  { hostname, tls }: Pick<ConnectConfig, "hostname" | "tls">,
): boolean {
  return tls === null && !isLoopback(hostname);
}

/** What of `options` configures the connection, and holds a value. */
function configOf(options: ConnectOptions): Partial<ConnectConfig> {
  const { clock: _clock, onTokenInClear: _told, ...rest } = options;
  return given(rest);
}

/**
 * Opens the connection: TCP, or TLS with its handshake done (so a
 * certificate that is not trusted, or a server that does not speak TLS,
 * fails here), within the reply timeout: a host that never answers, or a
 * server that never answers the handshake, keeps no one waiting.
 *
 * @throws {Deno.errors.TimedOut} when the timeout passes first.
 * @throws {Deno.errors.InvalidData} for a failed handshake.
 */
async function open(
  { hostname, port, tls, replyTimeoutMs }: ConnectConfig,
  clock: Clock,
): Promise<Deno.Conn<Deno.NetAddr>> {
  let tlsConn: Deno.TlsConn | undefined;
  const opening = (async (): Promise<Deno.Conn<Deno.NetAddr>> => {
    if (tls === null) return await Deno.connect({ hostname, port });
    tlsConn = await Deno.connectTls({ hostname, port, caCerts: tls.caCerts });
    try {
      await tlsConn.handshake();
    } catch (error) {
      tlsConn.close();
      throw error;
    }
    return tlsConn;
  })();
  if (replyTimeoutMs <= 0) return await opening;
  const late = Promise.withResolvers<never>();
  const timer = clock.setTimer(
    () =>
      late.reject(
        new Deno.errors.TimedOut(
          `no answer within ${replyTimeoutMs / 1000} s (see --timeout)`,
        ),
      ),
    replyTimeoutMs,
  );
  try {
    return await Promise.race([opening, late.promise]);
  } catch (error) {
    // A handshake under way ends with its socket; a connection that still
    // comes is closed as it does.
    try {
      tlsConn?.close();
    } catch {
      // Closed already, by its failed handshake.
    }
    opening.then((conn) => conn.close(), () => {});
    throw error;
  } finally {
    clock.clearTimer(timer);
  }
}

// How much of the first line of a reply to a connect-time request is kept:
// enough for any refusal's words.
const KEPT_CHARACTERS = 1000;
const decoder = new TextDecoder();

/**
 * Sends `line` and keeps only the start of its reply's first line, so a
 * server that answers without end costs the client nothing while it does.
 */
async function ask(session: Session, line: string): Promise<Reply> {
  let first: string | undefined;
  const reply = await session.request(line, (text) => {
    first ??= decoder.decode(text.subarray(0, 4 * KEPT_CHARACTERS))
      .slice(0, KEPT_CHARACTERS);
  });
  return { code: reply.code, lines: first === undefined ? [] : [first] };
}

/**
 * Says who the client is; gives its token only to a server that asks for
 * it (as HTTP sends credentials after a 401), calling `sendingToken` first.
 * A server from before `hello` echoes it, which is fine.
 *
 * @throws {TokenRefusedError} when the server wants a token it did not get.
 * @throws {ReplyError} for any other refusal.
 */
async function introduce(
  session: Session,
  token: string | null,
  sendingToken: () => void,
) {
  const hello = (token: string | null) =>
    ask(
      session,
      formatRequest(
        "hello",
        formatIntroduction({ name: session.name, agent: AGENT, token }),
      ),
    );
  let reply = await hello(null);
  if (reply.code === COMMANDS.hello.code || reply.code === Code.Echo) return;
  if (reply.code === Code.AuthRequired) {
    if (token === null) throw new TokenRefusedError("wanted", session.name);
    sendingToken();
    reply = await hello(token);
    if (reply.code === COMMANDS.hello.code) return;
    if (reply.code === Code.AuthFailed) {
      throw new TokenRefusedError("wrong", session.name, reply.lines[0] ?? "");
    }
  }
  throw new ReplyError(reply);
}
