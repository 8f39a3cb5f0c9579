/**
 * The standard-library functions ackline uses, with their types. The
 * `@std/...` specifiers are mapped in deno.json; where they resolve to a
 * build without type declarations, the types given here are the ones the
 * std documentation states, so no use site needs a cast. Swapping or
 * pinning std happens in deno.json and nowhere else.
 *
 * @module
 */

import { parseArgs as untypedParseArgs } from "@std/cli/parse-args";
import { format as untypedFormatBytes } from "@std/fmt/bytes";
import * as untypedColors from "@std/fmt/colors";

/** Options of {@linkcode formatBytes} (a subset of std's). */
export interface FormatBytesOptions {
  /** Use binary prefixes (KiB, MiB) instead of SI ones (kB, MB). */
  binary?: boolean;
}

/**
 * Formats a byte count for people: `formatBytes(1337)` is `"1.34 kB"`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./std.ts";
 *
 * formatBytes(1024, { binary: true }); // "1 kiB"
 * ```
 */
export const formatBytes: (
  bytes: number,
  options?: FormatBytesOptions,
) => string = untypedFormatBytes;

/** Options of {@linkcode parseArgs} (the subset ackline uses). */
export interface ParseArgsOptions {
  /** Put the arguments after `--` under the key `--`, as typed. */
  "--"?: boolean;
  /** Flags whose values are strings. */
  string?: string[];
  /** Flags that take no value. */
  boolean?: string[];
  /** Short names: `{ h: "help" }`. */
  alias?: Record<string, string>;
  /** Called for each flag or argument not declared; may throw. */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/**
 * Parses command-line arguments (std's `parseArgs`).
 *
 * @example Usage
 * ```ts
 * import { parseArgs } from "./std.ts";
 *
 * parseArgs(["--port", "80"], { string: ["port"] }).port; // "80"
 * ```
 */
export const parseArgs: (
  args: string[],
  options?: ParseArgsOptions,
) => Record<string, unknown> = untypedParseArgs;

/** Wraps text in one terminal colour, or returns it as is when disabled. */
export type Colorizer = (text: string) => string;

/** The terminal colours ackline uses (std's `@std/fmt/colors`). */
export const colors: {
  readonly blue: Colorizer;
  readonly bold: Colorizer;
  readonly cyan: Colorizer;
  readonly dim: Colorizer;
  readonly green: Colorizer;
  readonly magenta: Colorizer;
  readonly red: Colorizer;
  readonly yellow: Colorizer;
  /** Turns colour on or off for every colorizer. */
  readonly setColorEnabled: (enabled: boolean) => void;
} = untypedColors;
