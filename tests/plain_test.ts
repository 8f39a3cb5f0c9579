/**
 * The client's plain mode (`--plain`) against a server written as the
 * course's are, and the hint an ackline client gives at such a server.
 */

import { PLAIN_MAX_REPLY_BYTES } from "../lib/client/plain.ts";
import { programCommand, runToEnd } from "../tools/programs.ts";
import { ROOT } from "../tools/tasks.ts";
import { within } from "../tools/wait.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { startCourseServer } from "./support/course_server.ts";
import { send } from "./support/fake_server.ts";
import { withTempDir } from "./support/files.ts";

const NOTES = new TextEncoder().encode("notes for plain mode\n");

/** Runs the client as its task does, in `dir`, with `stdin` piped in. */
async function client(args: string[], dir: string, stdin?: string) {
  const command = await programCommand("client", args, {
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
  });
  return await runToEnd(command, "the client to finish", stdin);
}

Deno.test("--plain talks to a course server line by line from a pipe: each reply as it came", async () => {
  await withTempDir(async (dir) => {
    await using server = startCourseServer({ "notes.txt": NOTES });
    const { code, out, err } = await client(
      ["--plain", "--port", String(server.port)],
      dir,
      "hello there\nstatus\nnotes.txt\nexit\n",
    );
    assertEquals(code, 0, err);
    assertEquals(
      out,
      "Welcome Client01\nhello thereACK\nClient01 connected " +
        out.match(/\d\d:\d\d:\d\d/)?.[0] +
        " disconnected -\nnotes for plain mode\n",
    );
  });
});

Deno.test("--plain one-shot: the reply, then exit 0; a server that never answers it, exit 1", async () => {
  await withTempDir(async (dir) => {
    await using server = startCourseServer({}, { noAck: true });
    const { code, out } = await client(
      ["--plain", "--port", String(server.port), "ping", "me"],
      dir,
    );
    assertEquals(code, 0);
    assertEquals(out, "Welcome Client01\nping me\n");
    await using silent = startCourseServer({}, {
      noGreeting: true,
      silentWhenFull: true,
    });
    // Fill its three slots… a fourth connection is never answered.
    const hogs = await Promise.all(
      [1, 2, 3].map(() =>
        Deno.connect({ hostname: "127.0.0.1", port: silent.port })
      ),
    );
    try {
      const unanswered = await client(
        ["--plain", "--timeout", "1", "--port", String(silent.port), "ping"],
        dir,
      );
      assertEquals(unanswered.code, 1);
      assertEquals(unanswered.out, "");
    } finally {
      for (const hog of hogs) hog.close();
    }
  });
});

Deno.test("at a server that is not ackline's, the client names the --plain command, and that command works", async () => {
  await withTempDir(async (dir) => {
    await using server = startCourseServer({});
    const args = ["--port", String(server.port), "status"];
    const refused = await client(args, dir);
    assertEquals(refused.code, 1);
    const match =
      /^error: 127\.0\.0\.1:\d+ is not an ackline server; it sent: Welcome Client01.*; to talk to it as the course's clients do, run: (deno task client --plain .*)\n$/
        .exec(refused.err);
    assertMatch(refused.err, /--plain/);
    if (match === null) throw new Error(refused.err);
    const words = match[1].split(" ");
    assertEquals(words.slice(4), args);
    const { code, stdout } = await within(
      new Deno.Command(Deno.execPath(), {
        args: words.slice(1),
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output(),
      "the suggested command",
    );
    assertEquals(code, 0);
    assertMatch(
      new TextDecoder().decode(stdout),
      /^Welcome Client02\nClient01 connected /,
    );
  });
});

Deno.test("--plain keeps at most 1 MiB of a reply and counts the rest, so an endless server costs little", async () => {
  await withTempDir(async (dir) => {
    // A server with no greeting that answers the first bytes with 3 MiB.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serving = (async () => {
      using conn = await listener.accept();
      await conn.read(new Uint8Array(1024));
      const chunk = new TextEncoder().encode("y".repeat(64 * 1024));
      for (let i = 0; i < 48; i++) await send(conn, chunk);
      await conn.read(new Uint8Array(1024)).catch(() => null); // its exit
    })();
    try {
      const { code, out, err } = await client(
        ["--plain", "--port", String(listener.addr.port), "hello"],
        dir,
      );
      assertEquals(code, 0, err);
      assertEquals(out, `${"y".repeat(PLAIN_MAX_REPLY_BYTES)}\n`);
      assertMatch(err, /^\(2097152 more bytes not shown\)$/m);
    } finally {
      listener.close();
      await within(serving, "the server to finish");
    }
  });
});
