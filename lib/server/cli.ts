/**
 * The server's command line: its flags and help, and the configuration
 * they resolve to.
 *
 * @module
 */

import { integerFlag, parseFlags, UsageError } from "../common/mod.ts";
import { MIN_TOKEN_LENGTH, TOKEN_VARIABLE } from "../wire/mod.ts";
import { DEFAULTS, RANGES, type ServerConfig, TIMINGS } from "./config.ts";
import type { LogFormat, LogLevel } from "./log.ts";

/** The forms of the log; the first is the default. */
const LOG_FORMATS = ["text", "json"] as const satisfies readonly LogFormat[];

/** The server's `--help`. */
export const HELP =
  `ackline server: accepts clients, echoes lines with ACK, serves files.

Usage: deno task server [options]

Options:
  --host HOST          Address to listen on (default ${DEFAULTS.hostname})
  --port PORT          TCP port, 0 for any free one (default ${DEFAULTS.port})
  --max-clients N      Clients connected at once (default ${DEFAULTS.maxClients})
  --files DIR          Folder of files for list and get (default ${DEFAULTS.filesDir})
  --max-line BYTES     Longest request line (default ${DEFAULTS.maxLineBytes})
  --idle-timeout SEC   Close a client silent this long, 0 for never (default ${
    TIMINGS.idleMs / 1000
  })
  --yield-after SEC    When full, a client idle this long makes room for a
                       newcomer that speaks, 0 for never (default ${
    TIMINGS.yieldIdleMs / 1000
  })
  --line-gap MS        Take a message with no line end as complete after
                       this much silence, for clients that send none;
                       0 for never (default ${TIMINGS.lineGapMs})
  --history N          Clients that left that status still lists (default ${DEFAULTS.history})
  --token-file FILE    Clients must give the token in FILE first (or set
                       ${TOKEN_VARIABLE}); ${MIN_TOKEN_LENGTH}+ varied characters: openssl rand -hex 32
  --open               Beyond loopback with no token, serve other machines too
  --tls-cert FILE      Speak TLS with this certificate chain (PEM) ...
  --tls-key FILE       ... and this private key (PEM)
  --log-format FORMAT  text, or json for one object a line (default ${
    LOG_FORMATS[0]
  })
  -q, --quiet          Log only warnings and errors
  -v, --verbose        Log every request too (a message's size, never its text)
  -h, --help           Show this help

Log lines go to stdout; warnings (a client turned away, log lines dropped)
and errors go to stderr. Stop it with Ctrl+C or SIGTERM: every client is told
and the server exits with 0 (1 if it had to stop waiting for the last ones);
the log names the process to signal.`;

/** What the server's command line asks for. */
export interface ServerCommandLine {
  /** The server, every value resolved but its secrets (read at start). */
  config: ServerConfig;
  /** The form and level of the log. */
  log: { format: LogFormat; level: LogLevel };
  /** Where the token is, when a file holds it. */
  tokenFile: string | undefined;
  /** The TLS certificate chain and key files, both or neither. */
  tlsFiles: { cert: string; key: string } | null;
  /** The arguments as given, for a command that repeats them. */
  args: readonly string[];
}

function isLogFormat(format: string): format is LogFormat {
  return LOG_FORMATS.some((known) => known === format);
}

/**
 * Reads the command line.
 *
 * @returns what it asks for, or `null` for `--help`.
 * @throws {UsageError} for a mistake in it.
 */
export function parseCommandLine(
  args: readonly string[],
): ServerCommandLine | null {
  const flags = parseFlags(args, [
    "host",
    "port",
    "max-clients",
    "files",
    "max-line",
    "idle-timeout",
    "yield-after",
    "line-gap",
    "history",
    "log-format",
    "token-file",
    "tls-cert",
    "tls-key",
  ], {
    switches: ["quiet", "verbose", "open"],
    aliases: { q: "quiet", v: "verbose" },
  });
  if (flags.help) return null;
  const { values, switches } = flags;
  const format = values["log-format"] ?? LOG_FORMATS[0];
  if (!isLogFormat(format)) {
    throw new UsageError(
      `--log-format must be ${LOG_FORMATS.join(" or ")}, got ${format}`,
    );
  }
  if (switches.quiet && switches.verbose) {
    throw new UsageError("--quiet and --verbose cannot go together");
  }
  const level: LogLevel = switches.quiet
    ? "warn"
    : switches.verbose
    ? "debug"
    : "info";
  const cert = values["tls-cert"];
  const key = values["tls-key"];
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const config: ServerConfig = {
    ...DEFAULTS,
    hostname: values.host ?? DEFAULTS.hostname,
    port: integerFlag("port", values.port, {
      ...RANGES.port,
      fallback: DEFAULTS.port,
    }),
    maxClients: integerFlag("max-clients", values["max-clients"], {
      ...RANGES.maxClients,
      fallback: DEFAULTS.maxClients,
    }),
    filesDir: values.files ?? DEFAULTS.filesDir,
    maxLineBytes: integerFlag("max-line", values["max-line"], {
      ...RANGES.maxLineBytes,
      fallback: DEFAULTS.maxLineBytes,
    }),
    history: integerFlag("history", values.history, {
      ...RANGES.history,
      fallback: DEFAULTS.history,
    }),
    logRequests: switches.verbose,
    open: switches.open,
    timings: {
      ...TIMINGS,
      idleMs: 1000 * integerFlag("idle-timeout", values["idle-timeout"], {
        ...RANGES.idleTimeoutSeconds,
        fallback: TIMINGS.idleMs / 1000,
      }),
      lineGapMs: integerFlag("line-gap", values["line-gap"], {
        ...RANGES.lineGapMs,
        fallback: TIMINGS.lineGapMs,
      }),
      yieldIdleMs: 1000 * integerFlag("yield-after", values["yield-after"], {
        ...RANGES.yieldAfterSeconds,
        fallback: TIMINGS.yieldIdleMs / 1000,
      }),
    },
  };
  return {
    config,
    log: { format, level },
    tokenFile: values["token-file"],
    tlsFiles: cert === undefined || key === undefined ? null : { cert, key },
    args,
  };
}
