/**
 * The ackline client: connects, sends lines, reads replies, downloads files.
 *
 * @example Usage
 * ```ts ignore
 * import { connect } from "./client.ts";
 *
 * const session = await connect({ port: 12345 });
 * const reply = await session.request("hello world");
 * console.log(reply.lines[0]); // hello worldACK
 * await session.close();
 * ```
 *
 * @module
 */

import {
  allowedEnv,
  colors,
  escapeControl,
  formatBytes,
  hasPermission,
  integerFlag,
  isTcp,
  parseFlags,
  runProgram,
  sizeFlag,
  splitPath,
  UsageError,
  UserFacingError,
  VERSION,
} from "./lib/common/mod.ts";
import {
  completeLine,
  ConnectionClosedError,
  consoleOutput,
  defaultHistoryPath,
  DEFAULTS,
  HELP_LINES,
  HISTORY_FILE_NAME,
  HistoryFile,
  type LineInput,
  PipeInput,
  prepareDownloads,
  RANGES,
  ReplyError,
  runOnce,
  runPrompt,
  Session,
  TerminalInput,
} from "./lib/client/mod.ts";
import {
  Code,
  formatIntroduction,
  formatRequest,
  parseRequestText,
  type ReplyLimits,
  TOKEN_VARIABLE,
} from "./lib/wire/mod.ts";

export {
  ConnectionClosedError,
  DEFAULTS,
  type DownloadOptions,
  type DownloadResult,
  ReplyError,
  Session,
} from "./lib/client/mod.ts";
export type { Reply } from "./lib/wire/mod.ts";

/** Options of {@linkcode connect}; {@linkcode DEFAULTS} has the defaults. */
export interface ConnectOptions {
  /** Server address. Default `127.0.0.1`. */
  hostname?: string;
  /** Server port. Default `12345`. */
  port?: number;
  /** Give up on a reply after this long without a byte from the server. Default 30 s. */
  replyTimeoutMs?: number;
  /** Slowest download in bytes a second before it is given up; 0 none. Default 1 KiB. */
  speedLimit?: number;
  /** How long a download may stay under that. Default 30 s. */
  speedTimeMs?: number;
  /** What one reply may hold. Default: anything an ackline server may send. */
  replyLimits?: Partial<ReplyLimits>;
  /** The token to give in `hello`, for a server that wants one. */
  token?: string;
  /**
   * Speak TLS, checking the server's certificate and host name against
   * the system's authorities, or against `caCerts` (PEM text) when given.
   */
  tls?: { caCerts?: string[] };
}

/** What the client says it is in `hello`. */
export const AGENT = `ackline-client/${VERSION}`;

/** Thrown when the server wants a token the client lacks or does not take it. */
export class TokenRefusedError extends Error {
  /** Creates the error with the server's words. */
  constructor(message: string) {
    super(message);
    this.name = "TokenRefusedError";
  }
}

/**
 * Connects to a server and waits for its greeting.
 *
 * @throws {ReplyError} if the server turns the client away (e.g. full).
 * @throws {Deno.errors.ConnectionRefused} if no server listens there.
 */
export async function connect(options: ConnectOptions = {}): Promise<Session> {
  const where = {
    hostname: options.hostname ?? DEFAULTS.hostname,
    port: options.port ?? DEFAULTS.port,
  };
  const conn: Deno.Conn<Deno.NetAddr> = options.tls
    ? await connectTls(where, options.tls.caCerts)
    : await Deno.connect({ ...where, transport: "tcp" });
  if (isTcp(conn)) conn.setNoDelay(true);
  const session = new Session(conn, {
    replyTimeoutMs: options.replyTimeoutMs ?? DEFAULTS.replyTimeoutMs,
    speedLimit: options.speedLimit,
    speedTimeMs: options.speedTimeMs,
    replyLimits: options.replyLimits,
  });
  // Speak at once, before the greeting: a full server makes room for a
  // newcomer that sends a line, never for one that stays silent.
  const greeted = session.greeting();
  const spoken = session.request(formatRequest("noop"));
  try {
    await greeted;
    // Told at once to go (shutting down): say why.
    const first = await spoken;
    if (first.code === Code.Closing) throw new ReplyError(first);
    await introduce(session, options.token ?? null);
  } catch (error) {
    spoken.catch(() => {});
    await session.close();
    throw error;
  }
  return session;
}

/**
 * Opens a TLS connection and completes its handshake, so a certificate
 * that is not trusted, or a server that does not speak TLS, fails here.
 *
 * @throws {Deno.errors.InvalidData} for a failed handshake.
 */
async function connectTls(
  where: { hostname: string; port: number },
  caCerts: string[] | undefined,
): Promise<Deno.TlsConn> {
  const conn = await Deno.connectTls({ ...where, caCerts });
  try {
    await conn.handshake();
  } catch (error) {
    conn.close();
    throw error;
  }
  return conn;
}

/**
 * Says who the client is, with its token when it has one. A server from
 * before `hello` echoes it, which is fine.
 *
 * @throws {TokenRefusedError} when the server wants a token it did not get.
 * @throws {ReplyError} for any other refusal.
 */
async function introduce(session: Session, token: string | null) {
  const reply = await session.request(formatRequest(
    "hello",
    formatIntroduction({ name: session.name, agent: AGENT, token }),
  ));
  if (reply.code === Code.Hello || reply.code === Code.Echo) return;
  if (reply.code === Code.AuthRequired) {
    throw new TokenRefusedError(
      `${session.name}: the server wants a token; set ${TOKEN_VARIABLE} or use --token-file`,
    );
  }
  if (reply.code === Code.AuthFailed) {
    throw new TokenRefusedError("The server did not take the token");
  }
  throw new ReplyError(reply);
}

const HELP = `ackline client: talks to an ackline server.

Usage: deno task client [options]                  an interactive prompt
       deno task client [options] REQUEST...       one request, then exit
       deno task client [options] get NAME -o FILE save a file as FILE

Examples: deno task client status
          deno task client get notes.txt --overwrite

Options:
  --host HOST        Server address (default ${DEFAULTS.hostname})
  --port PORT        Server port (default ${DEFAULTS.port})
  --downloads DIR    Folder for downloaded files (default ${DEFAULTS.downloadsDir})
  --timeout SEC      Give up when no reply line completes for this long, 0 for
                     never (default ${DEFAULTS.replyTimeoutMs / 1000})
  --speed-limit SIZE Give up on a download slower than this a second for
  --speed-time SEC   this long (default ${
  formatBytes(DEFAULTS.speedLimit, { binary: true })
} for ${DEFAULTS.speedTimeMs / 1000} s; 0 for no floor)
  --max-size SIZE    Refuse a download larger than this or than the free
                     space: 500M, 16G, 0 for no limit (default ${
  formatBytes(DEFAULTS.maxDownloadBytes, { binary: true })
})
  -o, --output FILE  With a one-shot get: save the file as FILE
  --overwrite        Replace a file of the same name (otherwise a download
                     takes a numbered name, and -o refuses an existing FILE)
  --tls              Speak TLS, checking the server's certificate and name
  --ca FILE          The authority (PEM) that signed the server's certificate,
                     when it is not one the system trusts; implies --tls
  --token-file FILE  The token for a server that wants one (or set
                     ${TOKEN_VARIABLE})
  --history FILE     Keep the lines typed at the prompt in FILE (default
                     ~/${HISTORY_FILE_NAME})
  --no-history       Keep no history file
  -h, --help         Show this help

At the prompt: any message is echoed with ACK; 'status' shows the server's
clients; 'list' shows its files; 'get <name>' downloads one; 'time' shows the
server's clock; 'help' shows this list; 'exit' (or Ctrl+D, or Ctrl+C on an
empty line) quits. Arrows edit the line and recall earlier ones; Tab completes
commands, and after 'get ' the names of the last 'list'. Ctrl+C during a
download cancels it, keeps nothing, and connects again.
With input from a pipe it sends each line in turn and prints every reply.
Replies go to stdout; progress, notices and errors to stderr. Exit code: 0
when everything asked for succeeded, 1 when not, 2 for a mistake in the
command line, 130 after Ctrl+C and 143 after SIGTERM outside the prompt.`;

/** Says in words why a TLS connection to `where` failed. */
function tlsFailure(message: string, where: string): string {
  if (/InvalidContentType|corrupt message|WrongVersion/i.test(message)) {
    return `${where} does not speak TLS (it answered in plain text): connect without --tls`;
  }
  if (/CaUsedAsEndEntity/i.test(message)) {
    return `Cannot connect to ${where} over TLS: its certificate is marked as an authority; make it with basicConstraints=critical,CA:FALSE (see README)`;
  }
  if (/UnknownIssuer|BadSignature/i.test(message)) {
    return `Cannot connect to ${where} over TLS: its certificate is not from an authority this client trusts (give that authority with --ca FILE)`;
  }
  if (/NotValidForName|certificate not valid for name/i.test(message)) {
    return `Cannot connect to ${where} over TLS: its certificate is not for that name; connect by the name it is for`;
  }
  return `Cannot connect to ${where} over TLS: ${message}`;
}

function connectError(error: unknown, where: string): unknown {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new UserFacingError(
      `Cannot connect to ${where}: connection refused (is the server running?)`,
    );
  }
  if (error instanceof ConnectionClosedError) {
    // Whatever a foreign server says first, quoted, instead of a wait.
    const foreign = /^Unexpected line from the server: (.*)$/s.exec(
      error.message,
    );
    // A TLS record (an alert, a handshake) where a reply line should be.
    if (foreign !== null && /^\\x1[56]\\x03/.test(foreign[1])) {
      return new UserFacingError(
        `${where} speaks TLS: connect with --tls (and --ca FILE if its certificate is from a private authority)`,
      );
    }
    if (foreign !== null) {
      return new UserFacingError(
        `${where} is not an ackline server; it sent: ${foreign[1]}`,
      );
    }
  }
  if (error instanceof Deno.errors.InvalidData) {
    return new UserFacingError(tlsFailure(error.message, where));
  }
  if (error instanceof TokenRefusedError) {
    return new UserFacingError(error.message);
  }
  if (error instanceof ReplyError || error instanceof ConnectionClosedError) {
    return new UserFacingError(escapeControl(error.message));
  }
  if (error instanceof Error && !(error instanceof TypeError)) {
    return new UserFacingError(`Cannot connect to ${where}: ${error.message}`);
  }
  return error;
}

/**
 * The terminal's line editor, with the history file when it can be kept
 * (a notice says why when not).
 */
function terminalInput(options: {
  historyPath: string | null;
  complete: (line: string) => [string[], string];
}): LineInput {
  let history: HistoryFile | null = null;
  if (options.historyPath !== null) {
    const opened = HistoryFile.open(options.historyPath);
    if (typeof opened === "string") console.error(colors.dim(opened));
    else history = opened;
  }
  return new TerminalInput({
    history,
    complete: options.complete,
    output: Deno.stdout.isTerminal() ? "stdout" : "stderr",
    notice: (text) => consoleOutput.error(colors.dim(text)),
    onHistoryLost: (path) =>
      console.error(colors.dim(
        `History is no longer kept: cannot write ${escapeControl(path)}`,
      )),
  });
}

/**
 * Reads a file the client needs once (a token, an authority), asking on a
 * terminal for the permission; the permission is given up after.
 *
 * @throws {UserFacingError} for a file the client may not or cannot read.
 */
async function readOnce(path: string, what: string): Promise<string> {
  const descriptor = { name: "read", path } as const;
  if (!await hasPermission(descriptor)) {
    throw new UserFacingError(
      `No permission to read ${path}; add it to the client's --allow-read (--allow-read=./downloads,${path})`,
    );
  }
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UserFacingError(
      `Cannot read the ${what} ${path}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  } finally {
    await Deno.permissions.revoke(descriptor);
  }
}

/**
 * The token to give, from `--token-file` or the environment variable;
 * `undefined` for none.
 *
 * @throws {UsageError} for both at once.
 */
async function readToken(tokenFile: string | undefined) {
  const fromEnv = allowedEnv(TOKEN_VARIABLE);
  if (tokenFile === undefined) return fromEnv;
  if (fromEnv !== undefined) {
    throw new UsageError(
      `Give the token in ${TOKEN_VARIABLE} or with --token-file, not both`,
    );
  }
  return (await readOnce(tokenFile, "token file")).trim();
}

/**
 * Whether `path` names a folder: it ends with a separator, or it is one
 * (looked at only where the client may read, so no permission is asked).
 */
function isFolder(path: string): boolean {
  if (/[\\/]$/.test(path)) return true;
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
    return false;
  }
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Checks, before connecting, that `-o FILE` can be saved, and replaces a
 * file only when told to.
 */
async function checkOutput(saveAs: string, overwrite: boolean): Promise<void> {
  if (saveAs === "-") {
    throw new UsageError(`--output needs a file name, got ${saveAs}`);
  }
  await prepareDownloads(splitPath(saveAs)[0], Deno.stdin.isTerminal());
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(saveAs);
  } catch {
    return; // nothing there yet
  }
  if (info.isDirectory) {
    throw new UserFacingError(`${saveAs} is a folder; name a file to save as`);
  }
  if (!overwrite) {
    throw new UserFacingError(
      `${saveAs} already exists; add --overwrite to replace it`,
    );
  }
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, [
    "host",
    "port",
    "downloads",
    "timeout",
    "max-size",
    "speed-limit",
    "speed-time",
    "history",
    "output",
    "token-file",
    "ca",
  ], {
    switches: ["no-history", "overwrite", "tls"],
    aliases: { o: "output" },
    positional: true,
  });
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const { values, switches } = flags;
  const hostname = values.host ?? DEFAULTS.hostname;
  const port = integerFlag("port", values.port, {
    ...RANGES.port,
    fallback: DEFAULTS.port,
  });
  const timeoutSeconds = integerFlag("timeout", values.timeout, {
    ...RANGES.timeoutSeconds,
    fallback: DEFAULTS.replyTimeoutMs / 1000,
  });
  const maxDownloadBytes = sizeFlag(
    "max-size",
    values["max-size"],
    DEFAULTS.maxDownloadBytes,
  );
  const speedLimit = sizeFlag(
    "speed-limit",
    values["speed-limit"],
    DEFAULTS.speedLimit,
  );
  const speedTimeSeconds = integerFlag("speed-time", values["speed-time"], {
    ...RANGES.speedTimeSeconds,
    fallback: DEFAULTS.speedTimeMs / 1000,
  });
  // Words after the flags are one request to send: the one-shot form.
  const oneShot = flags.positional.length > 0
    ? flags.positional.join(" ")
    : null;
  if (oneShot !== null && /[\r\n]/.test(oneShot)) {
    throw new UsageError(
      "A request is one line: its words cannot hold a line break",
    );
  }
  let saveAs = values.output;
  const overwrite = switches.overwrite;
  let downloadsDir = values.downloads ?? DEFAULTS.downloadsDir;
  if (saveAs !== undefined && isFolder(saveAs)) {
    // `-o DIR` or `-o DIR/`: into that folder, under the file's own name.
    downloadsDir = saveAs;
    saveAs = undefined;
  }
  const interactive = oneShot === null && Deno.stdin.isTerminal();
  colors.setColorEnabled(Deno.stdout.isTerminal());
  if (
    values.output !== undefined &&
    parseRequestText(oneShot ?? "")?.name !== "get"
  ) {
    throw new UsageError(
      "--output goes with a one-shot get: deno task client get NAME -o FILE",
    );
  }
  if (saveAs !== undefined) {
    await checkOutput(saveAs, overwrite);
  } else if (oneShot === null || parseRequestText(oneShot)?.name === "get") {
    await prepareDownloads(downloadsDir, Deno.stdin.isTerminal());
  }
  if (oneShot === "help") {
    // The client's own command: no server is needed for it.
    for (const line of HELP_LINES) console.log(line);
    return 0;
  }
  const where = `${hostname}:${port}`;
  const ca = values.ca === undefined
    ? undefined
    : await readOnce(values.ca, "authority file");
  const connectOptions = {
    token: await readToken(values["token-file"]),
    // --ca means TLS: an authority is only for checking a certificate.
    tls: switches.tls || ca !== undefined
      ? { caCerts: ca === undefined ? undefined : [ca] }
      : undefined,
    hostname,
    port,
    replyTimeoutMs: timeoutSeconds * 1000,
    speedLimit,
    speedTimeMs: speedTimeSeconds * 1000,
  };
  let session: Session;
  try {
    session = await connect(connectOptions);
  } catch (error) {
    throw connectError(error, where);
  }
  const getOptions = {
    output: consoleOutput,
    // Drawn on stderr, so stdout keeps the replies alone.
    showProgress: Deno.stderr.isTerminal() &&
      (interactive || oneShot !== null),
    downloadsDir,
    maxDownloadBytes,
    overwrite,
    saveAs,
  };
  try {
    if (oneShot !== null) return await runOnce(session, oneShot, getOptions);
    let listed: string[] = [];
    const input = interactive
      ? terminalInput({
        historyPath: switches["no-history"]
          ? null
          : values.history ?? defaultHistoryPath(),
        complete: (line) => completeLine(line, listed),
      })
      : new PipeInput(Deno.stdin);
    return await runPrompt(session, {
      ...getOptions,
      input,
      interactive,
      onListed: (names) => listed = names,
      reconnect: () =>
        connect(connectOptions).catch((error) => {
          throw connectError(error, where);
        }),
    });
  } finally {
    consoleOutput.flush(); // what was printed last, before the exit
  }
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
