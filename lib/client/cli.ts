/**
 * The client's command line: its flags and help, and what they resolve
 * to (see `start.ts` for what is done with it before connecting).
 *
 * @module
 */

import {
  formatBytes,
  integerFlag,
  parseFlags,
  sizeFlag,
  UsageError,
} from "../common/mod.ts";
import { TOKEN_VARIABLE } from "../wire/mod.ts";
import { downloadLine, HELP_LINES, readTypedLine } from "./commands.ts";
import {
  type ConnectConfig,
  DEFAULTS,
  DOWNLOADS_DIR,
  MAX_DOWNLOAD_BYTES,
  RANGES,
} from "./config.ts";
import { HISTORY_FILE_NAME } from "./history.ts";
import { STANDARD_OUTPUT } from "./streamed_file.ts";

/** The client's `--help`. */
export const HELP = `ackline client: talks to an ackline server.

Usage: deno task client [options]                  an interactive prompt
       deno task client [options] REQUEST...       one request, then exit
       deno task client [options] get NAME -o FILE save a file as FILE
       deno task client [options] get -c NAME      go on with a cut download

Examples: deno task client status
          deno task client get hello.txt --overwrite

Options:
  --host HOST        Server address (default ${DEFAULTS.hostname})
  --port PORT        Server port (default ${DEFAULTS.port})
  --downloads DIR    Folder for downloaded files (default ${DOWNLOADS_DIR})
  --timeout SEC      Give up on connecting (handshake included), or when no
                     reply line completes, after this long; 0 for never
                     (default ${DEFAULTS.replyTimeoutMs / 1000})
  --max-time SEC     Give up on a one-shot request not done after this long
                     once connected, however it trickles; 0 for never
                     (default 0)
  --speed-limit SIZE Give up on a download slower than this a second for
  --speed-time SEC   this long (default ${
  formatBytes(DEFAULTS.speedLimit)
} for ${DEFAULTS.speedTimeMs / 1000} s; 0 for no floor)
  --max-size SIZE    Refuse a download larger than this or than the free
                     space: 500M, 16G, 0 for no limit (default ${
  formatBytes(MAX_DOWNLOAD_BYTES)
})
  -o, --output FILE  With a one-shot get: save the file as FILE (- for
                     standard output, still checked)
  --overwrite        Replace a file of the same name (otherwise a download
                     takes a numbered name, and -o refuses an existing FILE)
  -c, --continue     With a one-shot get: go on from the part a cut download
                     kept (NAME.<tag>.<version>.ackline-part), if the file
                     has not changed since; keep what arrives if cut again
  --tls              Speak TLS, checking the server's certificate and name
  --ca FILE          The authority (PEM) that signed the server's certificate,
                     when it is not one the system trusts; implies --tls
  --token-file FILE  The token for a server that wants one (or set
                     ${TOKEN_VARIABLE})
  --history FILE     Keep the lines typed at the prompt in FILE (default
                     ~/${HISTORY_FILE_NAME})
  --no-history       Keep no history file
  --plain            Talk to any line server as the course's clients do: no
                     codes expected, a reply is what arrives until the server
                     is quiet
  -h, --help         Show this help

At the prompt:
${HELP_LINES.join("\n")}
Arrows edit the line and recall earlier ones; Tab completes commands, and
after 'get ' the names of the last 'list'. Ctrl+C during a download cancels
it, keeps nothing (but with get -c), and connects again.
With input from a pipe it sends each line in turn and prints every reply.
Replies go to stdout; progress, notices and errors to stderr. Exit code: 0
when everything asked for succeeded, 1 when not, 2 for a mistake in the
command line, 130 after Ctrl+C and 143 after SIGTERM outside the prompt.`;

/** What the client's command line asks for. */
export interface ClientCommandLine {
  /** How to connect, every value resolved but its secrets (see {@linkcode readSecrets}). */
  connect: ConnectConfig;
  /** The authority file that signed the server's certificate (`--ca`). */
  caFile: string | undefined;
  /** Where the token is, when a file holds it. */
  tokenFile: string | undefined;
  /** The one request of the one-shot form, or `null` for the prompt. */
  oneShot: string | null;
  /** Give up on the one-shot request after this long; 0 for never. */
  maxTimeMs: number;
  /** Save a one-shot download as exactly this file. */
  saveAs: string | undefined;
  /** Replace a file of the same name. */
  overwrite: boolean;
  /** Folder for downloads. */
  downloadsDir: string;
  /** Refuse downloads larger than this; 0 for no limit. */
  maxDownloadBytes: number;
  /** The history file: the one given, `"default"` for `~`'s, or `null` for none. */
  history: string | "default" | null;
  /**
   * Talk to any line server as the course's clients do (`--plain`): no
   * codes expected, each reply what arrives until the server is quiet.
   */
  plain: boolean;
  /** The arguments as given, for a command that repeats them. */
  args: readonly string[];
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
 * Reads the command line.
 *
 * @returns what it asks for, or `null` for `--help`.
 * @throws {UsageError} for a mistake in it.
 */
export function parseCommandLine(
  args: readonly string[],
): ClientCommandLine | null {
  const flags = parseFlags(args, [
    "host",
    "port",
    "downloads",
    "timeout",
    "max-time",
    "max-size",
    "speed-limit",
    "speed-time",
    "history",
    "output",
    "token-file",
    "ca",
  ], {
    switches: ["no-history", "overwrite", "tls", "plain", "continue"],
    aliases: { o: "output", c: "continue" },
    positional: true,
  });
  if (flags.help) return null;
  const { values, switches } = flags;
  // Words after the flags are one request to send: the one-shot form. A
  // name after `get` is taken as given, even one that reads as `-c NAME`.
  const [word, ...rest] = flags.positional;
  let oneShot = word === undefined
    ? null
    : word === "get" && rest.length > 0
    ? downloadLine(rest.join(" "), false)
    : flags.positional.join(" ");
  if (oneShot !== null && /[\r\n]/.test(oneShot)) {
    throw new UsageError(
      "A request is one line: its words cannot hold a line break",
    );
  }
  if (switches.plain && values.output !== undefined) {
    throw new UsageError(
      "--output goes with ackline's get, not with --plain: deno task client get NAME -o FILE",
    );
  }
  // In plain mode a request is only a line to send.
  const typed = oneShot === null || switches.plain
    ? null
    : readTypedLine(oneShot);
  if (typed?.kind === "download" && typed.name === "") {
    throw new UsageError(
      "get needs the name of a file: deno task client get NAME",
    );
  }
  if (values["max-time"] !== undefined && oneShot === null) {
    throw new UsageError(
      "--max-time goes with a one-shot request: deno task client --max-time 10 status",
    );
  }
  if (values.output !== undefined && typed?.kind !== "download") {
    throw new UsageError(
      "--output goes with a one-shot get: deno task client get NAME -o FILE",
    );
  }
  if (switches.plain && switches.continue) {
    throw new UsageError(
      "--continue goes with ackline's get, not with --plain: deno task client get -c NAME",
    );
  }
  if (switches.continue) {
    if (typed?.kind !== "download") {
      throw new UsageError(
        "--continue goes with a one-shot get: deno task client get -c NAME",
      );
    }
    // One line says it, whichever way it was typed.
    oneShot = downloadLine(typed.name, true);
  }
  const resuming = switches.continue ||
    (typed?.kind === "download" && typed.resume);
  if (resuming && values.output === STANDARD_OUTPUT) {
    throw new UsageError(
      "--continue keeps a part in a folder, and standard output has none: deno task client get -c NAME -o FILE",
    );
  }
  let saveAs = values.output;
  let downloadsDir = values.downloads ?? DOWNLOADS_DIR;
  if (saveAs !== undefined && saveAs !== STANDARD_OUTPUT && isFolder(saveAs)) {
    // `-o DIR` or `-o DIR/`: into that folder, under the file's own name.
    downloadsDir = saveAs;
    saveAs = undefined;
  }
  return {
    connect: {
      ...DEFAULTS,
      hostname: values.host ?? DEFAULTS.hostname,
      port: integerFlag("port", values.port, {
        ...RANGES.port,
        fallback: DEFAULTS.port,
      }),
      replyTimeoutMs: 1000 * integerFlag("timeout", values.timeout, {
        ...RANGES.timeoutSeconds,
        fallback: DEFAULTS.replyTimeoutMs / 1000,
      }),
      speedLimit: sizeFlag(
        "speed-limit",
        values["speed-limit"],
        DEFAULTS.speedLimit,
      ),
      speedTimeMs: 1000 * integerFlag("speed-time", values["speed-time"], {
        ...RANGES.speedTimeSeconds,
        fallback: DEFAULTS.speedTimeMs / 1000,
      }),
      // --ca means TLS: an authority is only for checking a certificate.
      tls: switches.tls || values.ca !== undefined ? {} : null,
    },
    caFile: values.ca,
    tokenFile: values["token-file"],
    oneShot,
    maxTimeMs: 1000 * integerFlag("max-time", values["max-time"], {
      ...RANGES.timeoutSeconds,
      fallback: 0,
    }),
    saveAs,
    overwrite: switches.overwrite,
    downloadsDir,
    maxDownloadBytes: sizeFlag(
      "max-size",
      values["max-size"],
      MAX_DOWNLOAD_BYTES,
    ),
    history: switches["no-history"] ? null : values.history ?? "default",
    plain: switches.plain,
    args,
  };
}
