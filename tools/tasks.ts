/**
 * The tasks of deno.json, and the permission flags each one grants: the
 * compile task, the tests, the soak run and the benchmark all run the
 * programs with exactly these.
 *
 * @module
 */

/** The project's root folder (where deno.json is), as a path. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** The project's configuration file, as a path. */
export const CONFIG: string = `${ROOT}deno.json`;

/** The two programs, by task name. */
export const PROGRAMS = ["server", "client"] as const;

/** One of the two programs. */
export type Program = typeof PROGRAMS[number];

/** Reads the tasks of deno.json. */
export async function readTasks(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(CONFIG));
  return config.tasks;
}

/** Picks the `--allow-…` flags out of a task's command line. */
export function permissionFlags(task: string): string[] {
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}
