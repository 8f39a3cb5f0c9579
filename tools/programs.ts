/**
 * The programs as real processes, for end-to-end tests, the soak run and
 * the benchmark: each runs with exactly the permissions of its deno.json
 * task, from a folder of the caller's choosing (its `./files` or
 * `./downloads`), and a server is ready once its log says where it
 * listens.
 *
 * @module
 */

import { CONFIG, type Program, readTasks, ROOT, runFlags } from "./tasks.ts";
import { within } from "./wait.ts";

/**
 * Why `program args` cannot run here (`<program> is not installed`, or
 * `<program> does not run here` when it fails), or `null` when it can:
 * the reason a test that needs it is ignored.
 */
export async function cannotRun(
  program: string,
  args: readonly string[],
  name = program,
): Promise<string | null> {
  try {
    const { success } = await new Deno.Command(program, {
      args: [...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return success ? null : `${name} does not run here`;
  } catch {
    return `${name} is not installed`;
  }
}

/** Options of {@linkcode programCommand}. */
export interface ProgramOptions {
  /** The working folder: the tasks' relative paths resolve against it. */
  cwd: string;
  /** Standard input. Default `"null"`. */
  stdin?: "piped" | "null";
  /** Extra environment variables (see {@linkcode programEnv}). */
  env?: Record<string, string>;
  /** Paths it may read besides those of its task. */
  read?: readonly string[];
}

/**
 * The arguments of `deno` that run `server.ts` or `client.ts` with the
 * permission flags of its task, filled in with `env` as `deno task` would.
 */
export async function programArgs(
  program: Program,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<string[]> {
  const tasks = await readTasks();
  return [
    "run",
    "--config",
    CONFIG,
    ...runFlags(tasks[program], env),
    `${ROOT}${program}.ts`,
    ...args,
  ];
}

/**
 * Deno's own cache folder. Programs get a home folder of their own, so
 * they are told where the cache is: without it they would fetch their
 * packages again into that home.
 */
const DENO_DIR: string = await (async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdin: "null",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
})();

/**
 * The environment of a program run in `cwd`: `HOME` is `cwd` unless told,
 * so a client keeps its history there, never in the real home folder.
 */
export function programEnv(
  options: Pick<ProgramOptions, "cwd" | "env">,
): Record<string, string> {
  return { DENO_DIR, HOME: options.cwd, ...options.env };
}

/**
 * A `deno run` of `server.ts` or `client.ts` with the permission flags of
 * its task, no more, run in `options.cwd`.
 */
export async function programCommand(
  program: Program,
  args: readonly string[],
  options: ProgramOptions,
): Promise<Deno.Command> {
  const env = programEnv(options);
  const extra = options.read ?? [];
  const allowed = (await programArgs(program, args, env)).map((arg) =>
    arg.startsWith("--allow-read=") && extra.length > 0
      ? [arg, ...extra].join(",")
      : arg
  );
  return new Deno.Command(Deno.execPath(), {
    args: allowed,
    cwd: options.cwd,
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    env,
  });
}

/** Collects a stream's text and lets a caller wait for a line. */
export class Output {
  /** The text so far (only its tail when a limit was given). */
  text = "";
  /** Resolves once the stream has ended. */
  readonly done: Promise<void>;
  readonly #waiters: (() => void)[] = [];

  /** Reads `stream` to its end, keeping at most `keep` characters. */
  constructor(stream: ReadableStream<Uint8Array>, keep = Infinity) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.text = (this.text + chunk).slice(-keep);
        for (const waiter of this.#waiters.splice(0)) waiter();
      }
      for (const waiter of this.#waiters.splice(0)) waiter();
    })();
  }

  /** Resolves once `count` complete lines match `pattern`. */
  waitForCount(pattern: RegExp, count: number): Promise<void> {
    return within(
      new Promise<void>((resolve, reject) => {
        let ended = false;
        this.done.then(() => ended = true, () => ended = true);
        const check = () => {
          const lines = this.text.split("\n").slice(0, -1);
          if (lines.filter((line) => pattern.test(line)).length >= count) {
            resolve();
          } else if (ended) {
            reject(new Error(`Output ended before ${count} lines ${pattern}`));
          } else this.#waiters.push(check);
        };
        check();
      }),
      `${count} lines matching ${pattern}`,
    );
  }

  /** Resolves with the first match of `pattern` in a complete line. */
  waitFor(pattern: RegExp, what = `output matching ${pattern}`) {
    return within(
      new Promise<RegExpMatchArray>((resolve, reject) => {
        let ended = false;
        this.done.then(() => ended = true, () => ended = true);
        const check = () => {
          const match = this.text.split("\n").slice(0, -1)
            .map((line) => line.match(pattern)).find((m) => m);
          if (match) resolve(match);
          else if (ended) reject(new Error(`Output ended without ${what}`));
          else this.#waiters.push(check);
        };
        check();
      }),
      what,
    );
  }
}

/** A child process and its output. */
export interface RunningProgram extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Stops it with `signal` (default SIGTERM), bounded; its exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** A running server and the port it listens on. */
export interface RunningServer extends RunningProgram {
  readonly port: number;
}

/** Spawns `command` and collects its output (only the tail past `keep`). */
export function spawnProgram(
  command: Deno.Command,
  keep?: number,
): RunningProgram {
  const child = command.spawn();
  const stdout = new Output(child.stdout, keep);
  const stderr = new Output(child.stderr, keep);
  function kill(signal: Deno.Signal): void {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
  }
  async function stop(signal: Deno.Signal = "SIGTERM"): Promise<number> {
    kill(stopFailure === null ? signal : "SIGKILL");
    try {
      if (stopFailure !== null) throw stopFailure;
      const { code } = await within(child.status, "the program to exit");
      return code;
    } catch (error) {
      // A build whose programs ignore the signal once will again: later
      // stops kill at once instead of waiting in every test.
      stopFailure ??= new Error(`A program did not stop on ${signal}`);
      kill("SIGKILL");
      throw error;
    } finally {
      await within(child.status, "the killed program to exit");
      await within(Promise.all([stdout.done, stderr.done]), "its output");
    }
  }
  return {
    child,
    stdout,
    stderr,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** The time that starts each line of the server's text log. */
export const LOG_TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ";

/**
 * A line of the server's text log of `kind` whose message matches
 * `message` (a regular expression's source).
 */
export function logLine(kind: string, message: string, flags = ""): RegExp {
  return new RegExp(`^${LOG_TIME}\\[${kind}\\] ${message}$`, flags);
}

/** The log line of a server that is ready: `[SERVER] Listening on …`. */
export const LISTENING: RegExp = logLine(
  "SERVER",
  "Listening on (?:\\S+):(\\d+)",
);

/**
 * Spawns a server and waits until its stdout names its port, matched by
 * the first group of `pattern`; stops it again if that never comes.
 */
export async function spawnServer(
  command: Deno.Command,
  pattern: RegExp = LISTENING,
  keep?: number,
): Promise<RunningServer> {
  const program = spawnProgram(command, keep);
  try {
    const [, port] = await program.stdout.waitFor(pattern, "the server's port");
    return { ...program, port: Number(port) };
  } catch (error) {
    await program.stop("SIGKILL").catch(() => {});
    throw new Error(`${error}; stderr: ${program.stderr.text}`);
  }
}

/** Options of {@linkcode startServerProgram}. */
export interface ServerProgramOptions {
  /** The working folder; the server serves its `./files` unless told. */
  cwd: string;
  /** Flags after `--port 0`. */
  args?: readonly string[];
  /** Keep only this much of the log (a long run logs a lot). */
  keep?: number;
  /** The line that names the port (its first group). Default {@linkcode LISTENING}. */
  listening?: RegExp;
  /** Files it may read beyond its task's (relative to `cwd`). */
  read?: readonly string[];
}

/**
 * Runs `server.ts` as its task does, on a free port of 127.0.0.1, and
 * waits until it listens.
 */
export async function startServerProgram(
  options: ServerProgramOptions,
): Promise<RunningServer> {
  // A build whose server did not start once will not start the next time
  // either: fail at once instead of waiting again in every test.
  if (startFailure !== null) throw startFailure;
  const command = await programCommand(
    "server",
    ["--port", "0", ...options.args ?? []],
    { cwd: options.cwd, env: { NO_COLOR: "1" }, read: options.read },
  );
  try {
    return await spawnServer(
      command,
      options.listening ?? LISTENING,
      options.keep,
    );
  } catch (error) {
    startFailure = new Error(`The server program does not start: ${error}`);
    throw startFailure;
  }
}

let startFailure: Error | null = null;
let stopFailure: Error | null = null;

/** What a program that ran to its end printed, and its exit code. */
export interface Finished {
  code: number;
  /** Its stdout, as text. */
  out: string;
  /** Its stderr, as text. */
  err: string;
}

/**
 * Runs `command` to its end, giving it `stdin` (when given, the command
 * must pipe its stdin), bounded by `ms`.
 */
export async function runToEnd(
  command: Deno.Command,
  what: string,
  stdin?: string,
  ms?: number,
): Promise<Finished> {
  const child = command.spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await within(child.output(), what, ms);
  const decoder = new TextDecoder();
  return { code, out: decoder.decode(stdout), err: decoder.decode(stderr) };
}
