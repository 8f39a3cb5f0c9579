/**
 * The two path operations ackline needs, without a path library.
 *
 * @module
 */

/** The platform's path separator. */
export const SEPARATOR: string = Deno.build.os === "windows" ? "\\" : "/";

/** Joins a folder and a plain file name. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith(SEPARATOR) || dir.endsWith("/")
    ? dir + name
    : dir + SEPARATOR + name;
}
