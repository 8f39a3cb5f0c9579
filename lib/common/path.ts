/**
 * The two path operations ackline needs, without a path library.
 *
 * @module
 */

/** The platform's path separator. */
export const SEPARATOR: string = Deno.build.os === "windows" ? "\\" : "/";

// Windows takes both separators; elsewhere only "/" is one.
const ENDS_WITH_SEPARATOR = Deno.build.os === "windows" ? /[\\/]$/ : /\/$/;

/** Joins a folder and a plain file name. */
export function joinPath(dir: string, name: string): string {
  return ENDS_WITH_SEPARATOR.test(dir) ? dir + name : dir + SEPARATOR + name;
}
