/**
 * The command that runs a program as its task does, with more allowed:
 * what an error prints when the task's permissions do not reach a path the
 * user asked for, so that running it exactly as printed works.
 *
 * @module
 */

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A program's permissions, as `deno run` takes them. */
export interface Permissions {
  /** Hosts it may use the network with; empty for all. */
  net: readonly string[];
  /** Paths it may read. */
  read: readonly string[];
  /** Paths it may write. */
  write: readonly string[];
  /** Environment variables it may read. */
  env: readonly string[];
  /** System information it may ask for. */
  sys: readonly string[];
}

/** The `--allow-…` flags of `permissions`, in the order tasks write them. */
export function flagsOf(permissions: Permissions): string[] {
  const flag = (name: string, list: readonly string[]) =>
    list.length === 0 ? [] : [`--allow-${name}=${list.join(",")}`];
  return [
    ...(permissions.net.length === 0
      ? ["--allow-net"]
      : flag("net", permissions.net)),
    ...flag("read", permissions.read),
    ...flag("write", permissions.write),
    ...flag("env", permissions.env),
    ...flag("sys", permissions.sys),
  ];
}

/**
 * The shell command that runs `script` with `permissions` and `args`,
 * each word quoted where the shell needs it.
 */
export function runCommand(
  script: string,
  permissions: Permissions,
  args: readonly string[],
): string {
  return ["deno", "run", ...flagsOf(permissions), script, ...args]
    .map(shellWord).join(" ");
}

/** `list` with `more` added, each path once. */
export function withPaths(
  list: readonly string[],
  ...more: string[]
): string[] {
  return [...new Set([...list, ...more])];
}
