/**
 * The client as a person runs it: in a pseudo-terminal that util-linux's
 * `script` makes, with keys typed into it and the screen read back.
 *
 * @module
 */

import { writeAll } from "../../lib/common/mod.ts";
import { cannotRun, programArgs, programEnv } from "../../tools/programs.ts";
import { within } from "../../tools/wait.ts";

/** Keys as a terminal sends them. */
export const KEYS = {
  enter: "\r",
  tab: "\t",
  up: "\x1b[A",
  left: "\x1b[D",
  ctrlC: "\x03",
  ctrlD: "\x04",
} as const;

/** Why terminal tests cannot run here, or `null` when they can. */
export const NO_TERMINAL: string | null = await (async () => {
  if (Deno.build.os !== "linux") {
    return `the terminal tests use util-linux's script, which ${Deno.build.os} does not have`;
  }
  return await cannotRun(
    "script",
    ["-qec", "true", "/dev/null"],
    "script (util-linux)",
  );
})();

// Colours, cursor moves and line clears: what matters is the text.
// deno-lint-ignore no-control-regex -- escape sequences are what we strip
const CONTROL_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Options of {@linkcode Terminal.client}. */
export interface TerminalOptions {
  /** The working folder; `HOME` too, so history stays in it. */
  cwd: string;
  /** Shell commands run after the client ends, in the same terminal. */
  after?: string;
}

/** A client running in a pseudo-terminal. */
export class Terminal implements AsyncDisposable {
  /** Everything shown so far, control sequences taken out. */
  text = "";
  /** The exit status of the client, or of `after` when given. */
  readonly status: Promise<number>;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #done: Promise<void>;
  #waiters: (() => void)[] = [];
  #ended = false;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#done = (async () => {
      const decoder = new TextDecoderStream();
      for await (const chunk of child.stdout.pipeThrough(decoder)) {
        this.text += chunk.replace(CONTROL_SEQUENCE, "");
        for (const waiter of this.#waiters.splice(0)) waiter();
      }
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter();
    })();
    this.status = child.status.then((status) => status.code);
  }

  /** Runs `client.ts` with `args` as its task would, in a terminal. */
  static async client(
    args: readonly string[],
    options: TerminalOptions,
  ): Promise<Terminal> {
    const env = { ...programEnv({ cwd: options.cwd }), TERM: "xterm" };
    const client = [Deno.execPath(), ...await programArgs("client", args, env)]
      .map(shellQuote).join(" ");
    const after = options.after === undefined ? "" : `; ${options.after}`;
    const command = `stty cols 120 rows 40; ${client}${after}`;
    const child = new Deno.Command("script", {
      args: ["-qefc", command, "/dev/null"],
      cwd: options.cwd,
      env: { ...env, SHELL: "/bin/sh" },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    return new Terminal(child);
  }

  /** Types `keys`: one write, as a fast typist's or a paste. */
  async type(keys: string): Promise<void> {
    await writeAll(
      { write: (data) => this.#writer.write(data).then(() => data.length) },
      new TextEncoder().encode(keys),
    );
  }

  /** The length of the text so far: a mark to wait past. */
  mark(): number {
    return this.text.length;
  }

  /** Resolves once the text after `from` contains `expected`. */
  async waitFor(expected: string | RegExp, from = 0): Promise<void> {
    const found = () =>
      typeof expected === "string"
        ? this.text.indexOf(expected, from) >= 0
        : expected.test(this.text.slice(from));
    const shown = JSON.stringify(String(expected));
    try {
      await within(
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (found()) resolve();
            else if (this.#ended) reject(new Error("the terminal ended"));
            else this.#waiters.push(check);
          };
          check();
        }),
        `${shown} on the terminal`,
      );
    } catch (error) {
      // What the screen showed instead is what explains a failure.
      throw new Error(
        `${error instanceof Error ? error.message : error}; it shows: ${
          JSON.stringify(this.text.slice(from))
        }`,
      );
    }
  }

  /** Resolves with the exit status once the terminal's program has ended. */
  async exited(): Promise<number> {
    const code = await within(this.status, "the client to exit");
    await within(this.#done, "the terminal's output");
    return code;
  }

  /** Kills what still runs and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
    await this.#writer.close().catch(() => {});
    await within(this.#child.status, "the terminal to end");
    await within(this.#done, "the terminal's output");
  }
}
