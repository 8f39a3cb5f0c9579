/**
 * The grader's command line: its flags and help, and what they resolve to.
 *
 * @module
 */

import { integerFlag, parseFlags, UsageError } from "../common/mod.ts";
import type { Target } from "../course/mod.ts";

/** What the grader does unless told otherwise. */
export const GRADE_DEFAULTS = {
  maxClients: 3,
  quietMs: 300,
  waitMs: 2000,
  overLimitWaitMs: 6000,
  /** The longest one reply may keep arriving. */
  replyMs: 30_000,
} as const;

/** The grader's `--help`. */
export const HELP =
  `ackline grade: grades a running server against the CP372 assignment's rubric,
then against cases beyond it, with the evidence of each.

Usage: deno task grade [options] HOST:PORT

Examples: deno task grade 127.0.0.1:12345
          deno task grade 127.0.0.1:12345 --file hello.txt --expect files/hello.txt

Options:
  --max-clients N    The limit the server should keep (default ${GRADE_DEFAULTS.maxClients})
  --quiet SEC        A reply has ended once the server is quiet this long
                     (default ${GRADE_DEFAULTS.quietMs / 1000})
  --wait SEC         How long to wait for a reply to begin (default ${
    GRADE_DEFAULTS.waitMs / 1000
  })
  --full-wait SEC    How long a client over the limit waits to be told
                     (default ${GRADE_DEFAULTS.overLimitWaitMs / 1000})
  --file NAME        The file to fetch (default: the first that list names)
  --expect FILE      The bytes that file must arrive as
  --json             Print one JSON object instead of the table
  --junit FILE       Also write the cases as JUnit XML to FILE
  -h, --help         Show this help

It learns whether the server needs a line end after each message, and finds
names and times by pattern, so it grades servers that speak no ackline codes.
Items that need a fresh server say so. Exit code 0 when every rubric item
passed, 1 otherwise, 2 for a mistake on the command line.`;

/** What the grader's command line asks for. */
export interface GradeCommandLine {
  /** The server to grade. */
  target: Target;
  /** The limit the server should keep (`--max-clients`). */
  maxClients: number;
  /** A reply has ended after this much quiet (`--quiet`). */
  quietMs: number;
  /** How long to wait for a reply to begin (`--wait`). */
  waitMs: number;
  /** How long a client over the limit waits to be told (`--full-wait`). */
  overLimitWaitMs: number;
  /** The file to fetch (`--file`), or `null` for the first listed. */
  file: string | null;
  /** Where the bytes it must arrive as are (`--expect`). */
  expectFile: string | null;
  /** Print one JSON object instead of the table (`--json`). */
  json: boolean;
  /** Where to write JUnit XML (`--junit`). */
  junitFile: string | null;
  /** The arguments as given, for a command that repeats them. */
  args: readonly string[];
}

/**
 * Reads a duration flag in seconds (`0.3`), as milliseconds.
 *
 * @throws {UsageError} for a value that is no such number.
 */
function secondsFlag(
  name: string,
  value: string | undefined,
  fallbackMs: number,
): number {
  if (value === undefined) return fallbackMs;
  const seconds = Number(value);
  if (!/^\d+(?:\.\d+)?$/.test(value) || seconds < 0.01 || seconds > 600) {
    throw new UsageError(
      `--${name} must be a number of seconds from 0.01 to 600, got ${value}`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * Reads `HOST:PORT` (`[::1]:5000` for IPv6).
 *
 * @throws {UsageError} for anything else.
 */
export function parseTarget(text: string): Target {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) {
    throw new UsageError(`Give the server as HOST:PORT, got ${text}`);
  }
  return { hostname: match[1] ?? match[2], port };
}

/**
 * Reads the command line.
 *
 * @returns what it asks for, or `null` for `--help`.
 * @throws {UsageError} for a mistake in it.
 */
export function parseCommandLine(
  args: readonly string[],
): GradeCommandLine | null {
  const flags = parseFlags(args, [
    "max-clients",
    "quiet",
    "wait",
    "full-wait",
    "file",
    "expect",
    "junit",
  ], { switches: ["json"], positional: true });
  if (flags.help) return null;
  const { values, switches, positional } = flags;
  if (positional.length !== 1) {
    throw new UsageError(
      positional.length === 0
        ? "Give the server to grade as HOST:PORT"
        : `Give one server to grade, got ${positional.join(" ")}`,
    );
  }
  return {
    target: parseTarget(positional[0]),
    maxClients: integerFlag("max-clients", values["max-clients"], {
      min: 1,
      max: 3,
      fallback: GRADE_DEFAULTS.maxClients,
    }),
    quietMs: secondsFlag("quiet", values.quiet, GRADE_DEFAULTS.quietMs),
    waitMs: secondsFlag("wait", values.wait, GRADE_DEFAULTS.waitMs),
    overLimitWaitMs: secondsFlag(
      "full-wait",
      values["full-wait"],
      GRADE_DEFAULTS.overLimitWaitMs,
    ),
    file: values.file ?? null,
    expectFile: values.expect ?? null,
    json: switches.json,
    junitFile: values.junit ?? null,
    args,
  };
}
