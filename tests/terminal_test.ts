/**
 * The client at a terminal, driven as a person drives it: keys typed into
 * a pseudo-terminal, the screen read back.
 */

import { AGENT } from "../client.ts";
import { HINT } from "../lib/client/commands.ts";
import { PROMPT } from "../lib/client/prompt.ts";
import { writeAll } from "../lib/common/mod.ts";
import { COMMANDS, ReplyWriter } from "../lib/wire/mod.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { listDir, sha256Hex, withTempDir } from "./support/files.ts";
import { KEYS, NO_TERMINAL, Terminal } from "./support/terminal.ts";
import { startCourseServer } from "./support/course_server.ts";
import { startServer } from "./support/test_server.ts";

const ignore = NO_TERMINAL !== null;
const ignored = ignore ? ` (ignored: ${NO_TERMINAL})` : "";

/** A folder for one client: its downloads folder, and its home. */
async function withClientDir(test: (dir: string) => Promise<void>) {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/downloads`);
    await test(dir);
  });
}

Deno.test({
  name:
    `at a terminal, lines are edited, recalled from earlier runs and completed with Tab${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      await using server = await startServer({
        files: { "notes.txt": "hello file", "my file.txt": "x" },
      });
      const args = ["--port", String(server.port)];
      {
        await using term = await Terminal.client(args, { cwd: dir });
        await term.waitFor(PROMPT);
        // Who the client is, then the course's prompt.
        assertEquals(
          term.text.indexOf("Connected as Client01\n"),
          term.text.indexOf(PROMPT) - "Connected as Client01\n".length -
            HINT.length - 1,
        );
        // ← ← and a letter: the letter lands where the cursor is.
        await term.type("abc");
        await term.waitFor("abc");
        await term.type(`${KEYS.left}${KEYS.left}X${KEYS.enter}`);
        await term.waitFor("aXbcACK\nClient01> "); // then the short prompt
        // Tab completes a command, and after `get ` a name of the list.
        let mark = term.mark();
        await term.type("li");
        await term.waitFor("li", mark);
        await term.type(KEYS.tab);
        await term.waitFor("list", mark);
        await term.type(KEYS.enter);
        await term.waitFor("2 files", mark);
        mark = term.mark();
        await term.type("get n");
        await term.waitFor("get n", mark);
        await term.type(KEYS.tab);
        await term.waitFor("get notes.txt", mark);
        await term.type(KEYS.enter);
        await term.waitFor("Saved notes.txt", mark);
        // Ctrl+D leaves as exit does.
        await term.type(KEYS.ctrlD);
        await term.waitFor("Goodbye Client01", mark);
        assertEquals(await term.exited(), 0);
      }
      assertEquals(
        await Deno.readTextFile(`${dir}/.ackline_history`),
        "aXbc\nlist\nget notes.txt\n",
      );
      {
        // The next run recalls them: ↑ ↑ is `list`.
        await using term = await Terminal.client(args, { cwd: dir });
        await term.waitFor(PROMPT);
        const mark = term.mark();
        await term.type(KEYS.up);
        await term.waitFor("get notes.txt", mark);
        await term.type(KEYS.up);
        await term.waitFor("list", mark);
        await term.type(KEYS.enter);
        await term.waitFor("2 files", mark);
        // Ctrl+C on an empty line leaves too.
        await term.type(KEYS.ctrlC);
        await term.waitFor("Goodbye Client02", mark);
        assertEquals(await term.exited(), 0);
      }
      {
        // Without history, ↑ recalls nothing and nothing is kept.
        await using term = await Terminal.client([...args, "--no-history"], {
          cwd: dir,
        });
        await term.waitFor(PROMPT);
        const mark = term.mark();
        await term.type(KEYS.up);
        await term.type(`new${KEYS.enter}`);
        await term.waitFor("\nnewACK", mark);
        // Tab after `get ` before any `list`: the names are asked for then.
        await term.type("get my");
        await term.waitFor("get my", mark);
        await term.type(KEYS.tab);
        await term.waitFor("get my file.txt", mark);
        await term.type(KEYS.enter);
        await term.waitFor("Saved my file.txt", mark);
        await term.type(`exit${KEYS.enter}`);
        assertEquals(await term.exited(), 0);
      }
      {
        // A file the task may not write: said once, and the prompt works.
        const elsewhere = `${dir}/elsewhere_history`;
        await using term = await Terminal.client(
          [...args, "--history", elsewhere],
          { cwd: dir },
        );
        await term.waitFor(
          `History is not kept: no permission to use ${elsewhere} (run: deno run --allow-net --allow-read=./downloads,./tls,${dir}/.ackline_history,${elsewhere} `,
        );
        await term.type(`exit${KEYS.enter}`);
        assertEquals(await term.exited(), 0);
      }
      assertEquals(
        await Deno.readTextFile(`${dir}/.ackline_history`),
        "aXbc\nlist\nget notes.txt\nlist\n",
      );
    }),
});

/**
 * How a fake server answers a line: replies written to `out`, and raw
 * bytes after them; `hold` says to write nothing more after this.
 */
type Answer = (
  line: string,
  out: ReplyWriter,
) => { raw?: Uint8Array; hold?: boolean; rest?: Promise<Uint8Array> } | void;

/**
 * A scripted server for one connection: greets `name`, answers the
 * client's `noop` and `hello`, then answers each line with `answer` until it holds
 * (then reads and drops until the client closes). Resolves with the lines
 * it read.
 */
async function fakeSession(
  listener: Deno.TcpListener,
  name: string,
  answer: Answer,
): Promise<string[]> {
  let conn: Deno.TcpConn;
  try {
    conn = await listener.accept();
  } catch {
    return []; // the test ended first
  }
  const seen: string[] = [];
  const send = async (build: (out: ReplyWriter) => void) => {
    const out = new ReplyWriter();
    build(out);
    await writeAll(conn, out.bytes());
  };
  try {
    await send((out) => out.greeting(name));
    const decoder = new TextDecoder();
    const buf = new Uint8Array(4096);
    let pending = "";
    let holding = false;
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      if (holding) continue;
      pending += decoder.decode(buf.subarray(0, n));
      let end;
      while (!holding && (end = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        seen.push(line);
        if (line === "noop") {
          await send((out) => out.line(COMMANDS.noop.code, "OK"));
        } else if (line.startsWith("hello ")) {
          await send((out) => out.line(COMMANDS.hello.code, `Hello ${name}`));
        } else {
          const out = new ReplyWriter();
          const { raw, hold, rest } = answer(line, out) ?? {};
          await writeAll(conn, out.bytes());
          if (raw) await writeAll(conn, raw);
          if (rest) await writeAll(conn, await rest);
          holding = hold === true;
        }
      }
    }
  } catch {
    // Reset by the client: part of the test.
  } finally {
    conn.close();
  }
  return seen;
}

const echo: Answer = (line, out) => {
  if (line === "exit") out.line(COMMANDS.exit.code, "Goodbye Client02");
  else out.echo(new TextEncoder().encode(line), 0, line.length);
};

Deno.test({
  name:
    `Ctrl+C during a download cancels it, keeps nothing, and connects again${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      // The first server sends 64 KiB of a 10 MB file, then nothing.
      const first = fakeSession(listener, "Client01", (line, out) => {
        assertEquals(line, "get big.bin");
        out.fileHeader(10_000_000, "big.bin");
        return { raw: new Uint8Array(65536), hold: true };
      });
      // One accept at a time: the client connects again once it has closed.
      const second = first.then(() => fakeSession(listener, "Client02", echo));
      await using term = await Terminal.client(
        ["--port", String(listener.addr.port)],
        { cwd: dir },
      );
      await term.waitFor(PROMPT);
      await term.type(`get big.bin${KEYS.enter}`);
      await term.waitFor(/big\.bin \[/); // the progress bar
      const mark = term.mark();
      await term.type(KEYS.ctrlC);
      await term.waitFor(
        "Download of big.bin cancelled; nothing was kept",
        mark,
      );
      await term.waitFor("Connected again as Client02", mark);
      await term.waitFor("Client02> ", mark);
      assertEquals(await first, [
        "noop",
        `hello Client01 ${AGENT}`,
        "get big.bin",
      ]);
      assertEquals(await listDir(`${dir}/downloads`), []);
      // Ctrl+C on a half-typed line clears it; the prompt stays.
      await term.type("half");
      await term.waitFor("half", mark);
      await term.type(KEYS.ctrlC);
      await term.type(`whole${KEYS.enter}`);
      await term.waitFor("wholeACK", mark);
      await term.type(KEYS.ctrlC);
      await term.waitFor("Goodbye Client02", mark);
      assertEquals(await term.exited(), 0);
      assertEquals(await second, [
        "noop",
        `hello Client02 ${AGENT}`,
        "whole",
        "exit",
      ]);
    }),
});

Deno.test({
  name:
    `what is typed during a download waits its turn, after the next prompt${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const content = new Uint8Array(2 * 65536).fill(0x61);
      const rest = Promise.withResolvers<Uint8Array>();
      const session = fakeSession(listener, "Client01", (line, out) => {
        if (line !== "get big.bin") return echo(line, out);
        out.fileHeader(content.length, "big.bin");
        // Half the file, then the rest and its trailer when the test says.
        return { raw: content.subarray(0, 65536), rest: rest.promise };
      });
      await using term = await Terminal.client(
        ["--port", String(listener.addr.port)],
        { cwd: dir },
      );
      await term.waitFor(PROMPT);
      await term.type(`get big.bin${KEYS.enter}`);
      await term.waitFor(/big\.bin \[/); // the progress bar
      const mark = term.mark();
      // A whole line, and the start of another, while the bytes wait.
      await term.type(`typed ahead${KEYS.enter}half`);
      const trailer = new ReplyWriter();
      trailer.fileTrailer(sha256Hex(content));
      const tail = content.subarray(65536);
      rest.resolve(new Uint8Array([...tail, ...trailer.bytes()]));
      await term.waitFor("Saved big.bin", mark);
      // Nothing typed showed before the download ended.
      const during = term.text.slice(
        mark,
        term.text.indexOf("Saved big.bin", mark),
      );
      assert(!during.includes("typed") && !during.includes("half"), during);
      await term.waitFor("Client01> typed ahead\ntyped aheadACK", mark);
      await term.waitFor("Client01> half", mark);
      await term.type(`way${KEYS.enter}`);
      await term.waitFor("halfwayACK", mark);
      await term.type(`exit${KEYS.enter}`);
      assertEquals(await term.exited(), 0);
      assertEquals((await session).slice(2), [
        "get big.bin",
        "typed ahead",
        "halfway",
        "exit",
      ]);
    }),
});

Deno.test({
  name:
    `nothing typed at the prompt reaches the shell when the server goes away${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      const server = await startServer();
      // After the client, `cat` prints whatever the terminal still holds.
      await using term = await Terminal.client(
        ["--port", String(server.port)],
        { cwd: dir, after: `echo "ended $?"; cat` },
      );
      await term.waitFor(PROMPT);
      await term.type("echo LEAKED");
      await term.waitFor("echo LEAKED");
      await server[Symbol.asyncDispose]();
      await term.waitFor("error: Server is shutting down");
      await term.waitFor("ended 1");
      const mark = term.mark();
      await term.type(`${KEYS.enter}END${KEYS.enter}`);
      await term.waitFor(/END\s+END/, mark); // typed, then printed by cat
      await term.type(KEYS.ctrlD);
      assertEquals(await term.exited(), 0);
      const after = term.text.slice(mark);
      assert(!after.includes("LEAKED"), after);
    }),
});

Deno.test({
  name:
    `Ctrl+D during a download leaves once it ends, keeps reading keys till then, and Ctrl+Z is ignored${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const first = fakeSession(listener, "Client01", (line, out) => {
        if (line === "x") return echo(line, out);
        out.fileHeader(10_000_000, "big.bin");
        return { raw: new Uint8Array(65536), hold: true };
      });
      const second = first.then(() => fakeSession(listener, "Client02", echo));
      await using term = await Terminal.client(
        ["--port", String(listener.addr.port)],
        { cwd: dir, after: `echo "ended $?"; cat` },
      );
      await term.waitFor(PROMPT);
      // Ctrl+Z would stop the client in raw mode: it does nothing.
      await term.type("\x1a");
      await term.type(`x${KEYS.enter}`);
      await term.waitFor("xACK");
      await term.type(`get big.bin${KEYS.enter}`);
      await term.waitFor(/big\.bin \[/);
      const mark = term.mark();
      await term.type(KEYS.ctrlD);
      await term.waitFor("Leaving once this command ends", mark);
      await term.type("zzz");
      await term.type(KEYS.ctrlC);
      await term.waitFor("Download of big.bin cancelled", mark);
      await term.waitFor("Goodbye Client02", mark);
      await term.waitFor("ended 0", mark);
      const after = term.mark();
      await term.type(`${KEYS.enter}END${KEYS.enter}`);
      await term.waitFor(/END\s+END/, after);
      await term.type(KEYS.ctrlD);
      assertEquals(await term.exited(), 0);
      assert(!term.text.slice(after).includes("zzz"), term.text.slice(after));
      assertEquals((await second).at(-1), "exit");
    }),
});

Deno.test({
  name:
    `--plain at a terminal: the course's prompt, replies as they came, ↑ recalls, Ctrl+D leaves${ignored}`,
  ignore,
  fn: () =>
    withClientDir(async (dir) => {
      await using server = startCourseServer({});
      await using term = await Terminal.client(
        ["--plain", "--port", String(server.port)],
        { cwd: dir },
      );
      await term.waitFor(`Welcome Client01\n${PROMPT}`);
      let mark = term.mark();
      await term.type(`hi there${KEYS.enter}`);
      await term.waitFor(`hi thereACK\n${PROMPT}`, mark);
      mark = term.mark();
      await term.type(`${KEYS.up}${KEYS.enter}`);
      await term.waitFor(`hi thereACK\n${PROMPT}`, mark);
      await term.type(KEYS.ctrlD);
      assertEquals(await term.exited(), 0);
      assertEquals(
        await Deno.readTextFile(`${dir}/.ackline_history`),
        "hi there\n",
      );
    }),
});
