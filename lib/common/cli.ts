/**
 * What both programs' command lines share: flag parsing with clear errors,
 * and turning user mistakes into one line on stderr and an exit code.
 *
 * @module
 */

import { parseArgs } from "./std.ts";

/** A mistake in the command line; the program exits with code 2. */
export class UsageError extends Error {
  /** Creates the error with a message naming the bad flag or value. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the user can act on; the program exits with code 1. */
export class UserFacingError extends Error {
  /** Creates the error with a message a user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserFacingError";
  }
}

/** Flags as parsed: string values by name, switches, arguments, `help`. */
export interface ParsedFlags {
  /** `true` when `-h` or `--help` was given. */
  help: boolean;
  /** The value of each string flag that was given. */
  values: Record<string, string | undefined>;
  /** Each switch (a flag without a value), `true` when given. */
  switches: Record<string, boolean>;
  /** The arguments that are not flags, as typed (also all after `--`). */
  positional: string[];
}

/** What {@linkcode parseFlags} accepts besides string flags. */
export interface FlagSpec {
  /** Flags without a value, such as `overwrite` for `--overwrite`. */
  switches?: readonly string[];
  /** One-letter aliases: `{ o: "output" }` makes `-o` mean `--output`. */
  aliases?: Readonly<Record<string, string>>;
  /** Arguments that are not flags are allowed. */
  positional?: boolean;
}

/**
 * Joins `--name -1` into `--name=-1` for the flags in `names`, so a
 * negative number reads as the flag's (wrong) value, not as a flag.
 */
function joinNegativeValues(
  args: readonly string[],
  names: readonly string[],
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (
      names.includes(args[i].slice(2)) && args[i].startsWith("--") &&
      next !== undefined && /^-\d/.test(next)
    ) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/**
 * Parses `args` accepting only the string flags named in `names`, the
 * switches and aliases of `spec`, and `-h`/`--help`.
 *
 * @throws {UsageError} for an unknown flag, a positional argument where
 * none is allowed, or a flag given without a value.
 */
export function parseFlags(
  args: readonly string[],
  names: readonly string[],
  spec: FlagSpec = {},
): ParsedFlags {
  const switchNames = spec.switches ?? [];
  // Collected here rather than from `_`, which turns "007" into 7.
  const positional: string[] = [];
  const parsed = parseArgs(joinNegativeValues(args, names), {
    "--": true,
    string: [...names],
    boolean: ["help", ...switchNames],
    alias: { h: "help", ...spec.aliases },
    unknown(arg: string, key?: string) {
      if (key !== undefined) {
        throw new UsageError(`Unknown flag: ${arg.split("=")[0]}`);
      }
      if (!spec.positional) throw new UsageError(`Unexpected argument: ${arg}`);
      positional.push(arg);
      return false;
    },
  });
  const values: Record<string, string | undefined> = {};
  for (const name of names) {
    const value = parsed[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new UsageError(`--${name} needs a value`);
    }
    values[name] = value;
  }
  const switches: Record<string, boolean> = {};
  for (const name of switchNames) switches[name] = parsed[name] === true;
  const rest = parsed["--"];
  if (Array.isArray(rest) && rest.length > 0) {
    if (!spec.positional) {
      throw new UsageError(`Unexpected argument: ${rest[0]}`);
    }
    positional.push(...rest.map(String));
  }
  return { help: parsed.help === true, values, switches, positional };
}

/**
 * Reads an integer flag value in `[min, max]`, or `fallback` when absent.
 *
 * @throws {UsageError} if the value is not such an integer.
 */
export function integerFlag(
  name: string,
  value: string | undefined,
  range: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return range.fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < range.min || n > range.max) {
    throw new UsageError(
      `--${name} must be an integer from ${range.min} to ${range.max}, got ${value}`,
    );
  }
  return n;
}

/**
 * Runs a program's main function and exits with its code; usage and
 * user-facing errors become one line on stderr instead of a stack trace.
 */
export async function runProgram(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\nRun with --help for usage.`);
      code = 2;
    } else if (error instanceof UserFacingError) {
      console.error(`error: ${error.message}`);
      code = 1;
    } else {
      throw error;
    }
  }
  Deno.exit(code);
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/**
 * Reads a size flag: bytes, or a number with `K`, `M`, `G` or `T` (powers
 * of 1024, an optional `B` or `iB` after it): `500M`, `16G`, `1024`.
 *
 * @throws {UsageError} if the value is not such a size.
 */
export function sizeFlag(
  name: string,
  value: string | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  const bytes = match
    ? Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()]
    : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `--${name} must be a size such as 500M or 16G (0 for none), got ${value}`,
    );
  }
  return bytes;
}

/** The signals that ask a program to stop (SIGTERM cannot be listened for on Windows). */
export const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];
