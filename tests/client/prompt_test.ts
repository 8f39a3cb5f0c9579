import { HELP_LINES, HINT } from "../../lib/client/commands.ts";
import { MAX_DOWNLOAD_BYTES } from "../../lib/client/config.ts";
import type { PromptOutput } from "../../lib/client/console.ts";
import { ReplyError } from "../../lib/client/errors.ts";
import { PipeInput } from "../../lib/client/line_input.ts";
import { connectError } from "../../lib/client/start.ts";
import {
  PROMPT,
  type PromptOptions,
  runPrompt,
} from "../../lib/client/prompt.ts";
import type { Session } from "../../client.ts";
import { colors, type Reader, SYSTEM_CLOCK } from "../../lib/common/mod.ts";
import { Code, MAX_REQUEST_LINE_BYTES } from "../../lib/wire/mod.ts";
import { assertEquals, assertMatch } from "../support/assert.ts";
import { send, sendReplies, withFakeServer } from "../support/fake_server.ts";
import { listDir, withTempDir } from "../support/files.ts";
import { closeSession, openSession } from "../support/sessions.ts";
import { startServer } from "../support/test_server.ts";
import { within } from "../../tools/wait.ts";

colors.setColorEnabled(false);
const CLEAR_LINE = "\r\x1b[2K";

/** Everything the prompt showed, in order; errors marked. */
function transcript(): { events: string[]; output: PromptOutput } {
  const events: string[] = [];
  return {
    events,
    output: {
      print: (line) => events.push(line + "\n"),
      printAscii: (line) => events.push(new TextDecoder().decode(line) + "\n"),
      error: (line) => events.push(`[stderr] ${line}\n`),
      write: (text) => events.push(text),
      flush: () => {},
    },
  };
}

/**
 * Runs the prompt on `input` to its end (a script, unless told otherwise)
 * and returns its exit code and transcript.
 */
async function prompt(
  session: Session,
  input: string,
  options: Partial<Omit<PromptOptions, "input" | "output">> = {},
): Promise<{ code: number; events: string[] }> {
  const { downloadsDir } = options;
  if (downloadsDir === undefined) {
    return await withTempDir((dir) =>
      prompt(session, input, { ...options, downloadsDir: dir })
    );
  }
  const { events, output } = transcript();
  const code = await within(
    runPrompt(session, {
      // A person's prompt shows in the transcript.
      input: new PipeInput(
        inputOf(input),
        options.interactive ? output.write : undefined,
      ),
      output,
      interactive: false,
      showProgress: false,
      maxDownloadBytes: MAX_DOWNLOAD_BYTES,
      overwrite: false,
      clock: SYSTEM_CLOCK,
      oneShot: false,
      ...options,
      downloadsDir,
    }),
    "the prompt to end",
  );
  return { code, events };
}

/** Input that holds `text`, then ends. */
function inputOf(text: string): Reader {
  let rest = new TextEncoder().encode(text);
  let readsPastEnd = 0;
  return {
    read(buf) {
      if (rest.length === 0) {
        // A reader that keeps asking past the end would spin forever.
        if (++readsPastEnd > 100) {
          throw new Error("Read again and again past the end");
        }
        return Promise.resolve(null);
      }
      const n = Math.min(buf.length, rest.length);
      buf.set(rest.subarray(0, n));
      rest = rest.subarray(n);
      return Promise.resolve(n);
    },
  };
}

Deno.test("the prompt shows the course's prompt first, then a short one, and leaves as exit does", async () => {
  await using t = await startServer();
  const session = await openSession(t.port);
  const { code, events } = await prompt(session, "hello world\nhelp\n", {
    interactive: true,
  });
  assertEquals(code, 0);
  assertEquals(events, [
    "Connected as Client01\n",
    HINT + "\n",
    PROMPT,
    "hello worldACK\n",
    "Client01> ",
    ...HELP_LINES.map((line) => line + "\n"),
    "Client01> ",
    "\n",
    // The end of a person's input (Ctrl+D) says goodbye as `exit` does.
    "Goodbye Client01\n",
  ]);
  assertEquals(await closeSession(session), "Server closed the connection");
});

Deno.test("a download at the prompt draws progress, then clears it for the summary", async () => {
  await withTempDir(async (dir) => {
    await using t = await startServer({ files: { "notes.txt": "hello file" } });
    const session = await openSession(t.port);
    const { code, events } = await prompt(session, "get notes.txt\n", {
      interactive: true,
      showProgress: true,
      downloadsDir: dir,
    });
    assertEquals(code, 0);
    // A notice, on stderr: stdout carries only the server's replies.
    const saved = events.findIndex((e) => e.startsWith("[stderr] Saved"));
    assertMatch(
      events[saved],
      /^\[stderr\] Saved notes\.txt \(10 B\) in \d+ ms, SHA-256 verified\n$/,
    );
    assertEquals(events[saved - 1], CLEAR_LINE);
    const bars = events.slice(0, saved - 1).filter((e) =>
      e.startsWith(CLEAR_LINE + "notes.txt [")
    );
    assertMatch(bars.at(-1)!, / 100% {2}10 B \/ 10 B /);
    assertEquals(await listDir(dir), ["notes.txt"]);
  });
});

Deno.test("a script's failed downloads say why and make the exit code 1", async () => {
  await withTempDir(async (dir) => {
    await withFakeServer(async (conn) => {
      await sendReplies(conn, (out) => out.fileHeader(3, "f.bin"));
      await send(conn, "abc");
      await sendReplies(conn, (out) => out.fileTrailer("0".repeat(64)));
      await conn.read(new Uint8Array(16)); // until the client closes
    }, async (port) => {
      const session = await openSession(port);
      const { code, events } = await prompt(session, "get f.bin\n", {
        downloadsDir: dir,
      });
      assertEquals(code, 1);
      assertEquals(events[0], "Connected as Client01\n");
      assertMatch(
        events[1],
        /^\[stderr\] error: Download of f\.bin failed: SHA-256 mismatch: .*; nothing was saved\n$/,
      );
      assertEquals(events.length, 2);
    });
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("a script's refused request makes the exit code 1", async () => {
  await withFakeServer(async (conn) => {
    await sendReplies(
      conn,
      (out) =>
        out.line(Code.BadLine, "Line is not valid UTF-8; it was ignored"),
    );
    await conn.read(new Uint8Array(16)); // until the client closes
  }, async (port) => {
    const session = await openSession(port);
    const { code, events } = await prompt(session, "status\n");
    assertEquals(code, 1);
    assertMatch(events[1], /^\[stderr\] /);
  });
});

Deno.test("the prompt says why when the server goes away, and exits 1", async () => {
  await withFakeServer(async (conn) => {
    await sendReplies(conn, (out) => out.closing({ kind: "shutdown" }));
  }, async (port) => {
    const session = await openSession(port);
    const { code, events } = await prompt(session, "hello\n");
    assertEquals(code, 1);
    assertEquals(events, [
      "Connected as Client01\n",
      "[stderr] Server is shutting down\n",
    ]);
  });
});

Deno.test("a line of input longer than any server takes is refused, not sent", async () => {
  await using t = await startServer();
  const session = await openSession(t.port);
  const { code, events } = await prompt(
    session,
    "x".repeat(MAX_REQUEST_LINE_BYTES + 1) + "\nhello\n",
  );
  assertEquals(code, 1);
  assertEquals(events, [
    "Connected as Client01\n",
    `[stderr] error: A line of input is longer than ${MAX_REQUEST_LINE_BYTES} bytes; it was not sent\n`,
  ]);
  assertEquals(await closeSession(session), "Connection closed");
});

Deno.test("the prompt says why when the server goes away before answering", async () => {
  // The server takes the request and closes without a reply.
  await withFakeServer(async () => {}, async (port) => {
    const session = await openSession(port);
    const { code, events } = await prompt(session, "hello\n");
    assertEquals(code, 1);
    assertEquals(events, [
      "Connected as Client01\n",
      "[stderr] error: Server closed the connection\n",
    ]);
  });
});

Deno.test("a download refused for its size at the prompt connects again and the prompt goes on", async () => {
  await withTempDir(async (dir) => {
    await using t = await startServer({
      files: { "big.bin": new Uint8Array(4096) },
    });
    const session = await openSession(t.port);
    const { code, events } = await prompt(session, "get big.bin\nhello\n", {
      interactive: true,
      downloadsDir: dir,
      maxDownloadBytes: 1024,
      reconnect: () => openSession(t.port),
    });
    assertEquals(code, 0);
    const text = events.join("");
    assertMatch(
      text,
      /\[stderr\] error: Refused big\.bin: it is 4 KiB, over the --max-size of 1 KiB; nothing was saved\n/,
    );
    assertMatch(text, /\[stderr\] Connected again as Client02\n/);
    assertMatch(text, /Client02> helloACK\n/);
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("Ctrl+C while connecting again gives up, says so, and ends", async () => {
  await withTempDir(async (downloadsDir) => {
    await using t = await startServer({
      files: { "big.bin": new Uint8Array(4096) },
    });
    const session = await openSession(t.port);
    const { events, output } = transcript();
    const input = new PipeInput(inputOf("get big.bin\n"));
    let attempts = 0;
    const code = await within(
      runPrompt(session, {
        input,
        output,
        interactive: false,
        showProgress: false,
        downloadsDir,
        maxDownloadBytes: 1024,
        overwrite: false,
        clock: SYSTEM_CLOCK,
        oneShot: false,
        reconnect: () => {
          attempts++;
          // The user gives up while it waits.
          queueMicrotask(() => input.onInterrupt?.());
          return new Promise(() => {});
        },
      }),
      "the prompt to end",
    );
    assertEquals(code, 1);
    assertEquals(attempts, 1);
    assertEquals(events.slice(-2), [
      "[stderr] Connecting again…\n",
      "[stderr] error: Not connected again: interrupted\n",
    ]);
  });
});

Deno.test("connecting again tries anew while the server has not yet freed the old slot", async () => {
  await using t = await startServer({
    files: { "big.bin": new Uint8Array(4096) },
  });
  const session = await openSession(t.port);
  let attempts = 0;
  const { code, events } = await prompt(session, "get big.bin\nhello\n", {
    maxDownloadBytes: 1024,
    reconnect: () => {
      // Twice the server is still full, as it is for a moment after the
      // old connection closed; then the slot is free.
      if (++attempts <= 2) {
        return Promise.reject(connectError(
          new ReplyError({
            code: 421,
            lines: ["Server is full: 1 of 1 client connected; try again later"],
          }),
          "127.0.0.1:1",
        ));
      }
      return openSession(t.port);
    },
  });
  assertEquals(attempts, 3);
  assertEquals(code, 1); // the script's refused download
  const text = events.join("");
  assertMatch(text, /\[stderr\] Connected again as Client02\n/);
  assertMatch(text, /helloACK\n/);
});
