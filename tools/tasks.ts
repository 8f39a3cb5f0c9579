/**
 * The tasks of deno.json, and the permission flags each one grants and the
 * runtime flags it runs with: the compile task, the tests, the soak run
 * and the benchmark all run the programs with exactly these.
 *
 * @module
 */

/** The project's root folder (where deno.json is), as a path. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** The project's configuration file, as a path. */
export const CONFIG: string = `${ROOT}deno.json`;

/** The programs, by task name. */
export const PROGRAMS = ["server", "client", "grade"] as const;

/** One of the programs. */
export type Program = typeof PROGRAMS[number];

/** Reads the tasks of deno.json (of this project, unless `config` names another's). */
export async function readTasks(
  config: string = CONFIG,
): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(config)).tasks;
}

/**
 * Picks the `--allow-…` flags out of a task's command line. A `$NAME` in
 * them is a variable `deno task` fills in (`$HOME`); `env` gives the
 * values to fill in, as `deno task` would.
 */
export function permissionFlags(
  task: string,
  env?: Readonly<Record<string, string>>,
): string[] {
  const flags = task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
  if (env === undefined) return flags;
  return flags.map((flag) =>
    flag.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name) => env[name] ?? "")
  );
}

/**
 * Picks the `--v8-flags=…` out of a task's command line: how the runtime
 * is tuned for the program (the server keeps its young generation small,
 * see PERFORMANCE.md).
 */
export function v8Flags(task: string): string[] {
  return task.split(/\s+/).filter((word) => word.startsWith("--v8-flags="));
}

/**
 * The flags of `deno run` a task runs its program with: its permission
 * flags (see {@linkcode permissionFlags}, `env` filling in variables) and
 * its {@linkcode v8Flags}.
 */
export function runFlags(
  task: string,
  env?: Readonly<Record<string, string>>,
): string[] {
  return [...permissionFlags(task, env), ...v8Flags(task)];
}

/**
 * The permission flags a binary is built with: those of the task, less
 * every path under a variable such as `$HOME` (a binary's permissions are
 * fixed when it is built, on another machine than where it runs) and the
 * `--allow-env` that was there to find it.
 */
export function binaryPermissionFlags(task: string): string[] {
  const flags = permissionFlags(task);
  const dropped = new Set<string>();
  const kept: string[] = [];
  for (const flag of flags) {
    const [name, list] = splitFlag(flag);
    if (list === null) {
      kept.push(flag);
      continue;
    }
    const entries = list.split(",").filter((entry) => {
      for (const match of entry.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
        dropped.add(match[1]);
      }
      return !entry.includes("$");
    });
    if (entries.length > 0) kept.push(`${name}=${entries.join(",")}`);
  }
  return kept.flatMap((flag) => {
    const [name, list] = splitFlag(flag);
    if (name !== "--allow-env" || list === null) return [flag];
    const entries = list.split(",").filter((entry) => !dropped.has(entry));
    return entries.length > 0 ? [`${name}=${entries.join(",")}`] : [];
  });
}

function splitFlag(flag: string): [string, string | null] {
  const at = flag.indexOf("=");
  return at < 0 ? [flag, null] : [flag.slice(0, at), flag.slice(at + 1)];
}
