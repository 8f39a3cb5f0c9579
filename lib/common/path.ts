/**
 * The few path operations ackline needs, without a path library.
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

const LAST_SEPARATOR = Deno.build.os === "windows"
  ? /[\\/](?=[^\\/]*$)/
  : /\/(?=[^/]*$)/;

/**
 * Splits a file's path into its folder and its name: `a/b.txt` gives
 * `["a", "b.txt"]`, `b.txt` gives `[".", "b.txt"]`, `/b.txt` gives
 * `["/", "b.txt"]`.
 */
export function splitPath(path: string): [dir: string, name: string] {
  const at = path.search(LAST_SEPARATOR);
  if (at < 0) return [".", path];
  return [at === 0 ? path[0] : path.slice(0, at), path.slice(at + 1)];
}

const ABSOLUTE = Deno.build.os === "windows" ? /^(?:[A-Za-z]:)?[\\/]/ : /^\//;
const SEPARATORS = Deno.build.os === "windows" ? /[\\/]+/ : /\/+/;

/** The names of `path` from the root, with `.` and `..` worked out. */
function pathNames(path: string): string[] {
  const full = ABSOLUTE.test(path) ? path : joinPath(Deno.cwd(), path);
  const names: string[] = [];
  for (const name of full.split(SEPARATORS)) {
    if (name === "" || name === ".") continue;
    if (name === "..") names.pop();
    else names.push(Deno.build.os === "windows" ? name.toLowerCase() : name);
  }
  return names;
}

/**
 * Whether `path` is `folder` or lies inside it, judged by the names alone
 * (links are not followed): `files/../files/a` is inside `./files`.
 */
export function isWithin(path: string, folder: string): boolean {
  const inner = pathNames(path);
  const outer = pathNames(folder);
  return outer.length <= inner.length &&
    outer.every((name, i) => name === inner[i]);
}
