import {
  describeForClient,
  FileRefusal,
  FileRepository,
  openWithin,
  RepositoryError,
} from "../../lib/server/repository.ts";
import { escapeName } from "../../lib/wire/names.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { within } from "../../tools/wait.ts";
import { ManualClock } from "../support/clock.ts";

// Opens are not timed out here, but where a test says so.
const OPEN_LIMIT = { clock: new ManualClock(), timeoutMs: 1000 };

async function withFolder(fn: (dir: string, outside: string) => Promise<void>) {
  const base = await Deno.makeTempDir({ prefix: "ackline-repo-" });
  const dir = `${base}/files`;
  const outside = `${base}/secret.txt`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(outside, "top secret");
  try {
    await fn(dir, outside);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("FileRepository.open refuses a missing folder or a file", async () => {
  await withFolder(async (dir, outside) => {
    await assertRejects(
      () => FileRepository.open(`${dir}/nope`, OPEN_LIMIT),
      RepositoryError,
      "does not exist",
    );
    await assertRejects(
      () => FileRepository.open(outside, OPEN_LIMIT),
      RepositoryError,
      "not a folder",
    );
  });
});

Deno.test("FileRepository.list shows regular files only, sorted", async () => {
  await withFolder(async (dir, outside) => {
    await Deno.writeTextFile(`${dir}/b.txt`, "bb");
    await Deno.writeFile(`${dir}/a.bin`, new Uint8Array(1000));
    await Deno.mkdir(`${dir}/sub`);
    await Deno.symlink(outside, `${dir}/link`);
    await Deno.symlink(`${dir}/nowhere`, `${dir}/dangling`);
    await Deno.symlink(`${dir}/sub`, `${dir}/to-folder`);
    // A link inside the folder is listed as get serves it.
    await Deno.symlink(`${dir}/b.txt`, `${dir}/c.txt`);
    const repo = await FileRepository.open(dir, OPEN_LIMIT);
    const { entries, notUtf8 } = await repo.list();
    assertEquals(notUtf8, 0);
    assertEquals(entries.map((e) => [e.name, e.size]), [
      ["a.bin", 1000],
      ["b.txt", 2],
      ["c.txt", 2],
    ]);
    for (const { name } of entries) {
      (await repo.openFile(name)).file.close();
    }
  });
});

Deno.test("FileRepository.openFile refuses every name that is not a file here", async (t) => {
  await withFolder(async (dir, outside) => {
    await Deno.writeTextFile(`${dir}/ok.txt`, "fine");
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/sub/inner.txt`, "inner");
    await Deno.symlink(outside, `${dir}/escape`);
    await Deno.symlink("/dev/zero", `${dir}/device`);
    await Deno.symlink(`${dir}/ok.txt`, `${dir}/inside-link`);
    const fifo = new Deno.Command("mkfifo", { args: [`${dir}/pipe`] });
    const madeFifo = (await fifo.output()).success;
    const repo = await FileRepository.open(dir, OPEN_LIMIT);
    type Reason = FileRefusal["refusal"]["reason"];
    const refused: [string, Reason, string][] = [
      ["missing", "missing", "No such file"],
      ["sub", "not-a-file", "Not a regular file"],
      ["", "not-a-name", "Not a file name"],
      ["..", "not-a-name", "Not a file name"],
      [".", "not-a-name", "Not a file name"],
      ["../secret.txt", "not-a-name", "Not a file name"],
      [outside, "not-a-name", "Not a file name"],
      ["sub/inner.txt", "not-a-name", "Not a file name"],
      // A backslash is part of a name except where it separates paths.
      Deno.build.os === "windows"
        ? ["sub\\inner.txt", "not-a-name", "Not a file name"]
        : ["sub\\inner.txt", "missing", "No such file"],
      ["a\u0000b", "not-a-name", "Not a file name"],
      ["escape", "missing", "No such file"],
      ["device", "missing", "No such file"],
    ];
    if (madeFifo) refused.push(["pipe", "not-a-file", "Not a regular file"]);
    for (const [name, reason, message] of refused) {
      await t.step(JSON.stringify(name), async () => {
        const error = await assertRejects(
          () => repo.openFile(name),
          FileRefusal,
          message,
        );
        // The reply shows the name as list would.
        assertEquals(error.refusal, {
          reason,
          name: escapeName(name),
          detail: undefined,
        });
      });
    }
    await t.step(
      "a name that cannot be resolved is unreadable (451)",
      async () => {
        await Deno.symlink("loop", `${dir}/loop`);
        const error = await assertRejects(
          () => repo.openFile("loop"),
          FileRefusal,
          "Cannot read loop: Too many levels of symbolic links",
        );
        assertEquals(error.refusal.reason, "unreadable");
        assertEquals(error.message.includes(dir), false, "no path is told");
      },
    );
    await t.step("a symlink that stays inside is followed", async () => {
      const opened = await repo.openFile("inside-link");
      opened.file.close();
      assertEquals(opened.info.size, 4);
    });
  });
});

Deno.test("describeForClient names what went wrong, never the path", () => {
  assertEquals(
    describeForClient(new Deno.errors.NotFound("x '/srv/a'")),
    "it does not exist",
  );
  assertEquals(
    describeForClient(new Deno.errors.PermissionDenied("/srv/a")),
    "permission denied",
  );
  assertEquals(
    describeForClient(
      new Deno.errors.NotCapable("Requires read access to '/srv'"),
    ),
    "permission denied",
  );
  assertEquals(
    describeForClient(
      new Error("Too many open files (os error 24): readdir '/srv/files'"),
    ),
    "Too many open files",
  );
  assertEquals(
    describeForClient(new Error("/srv/files went away")),
    "input/output error",
  );
  assertEquals(describeForClient("odd"), "input/output error");
});

Deno.test("openWithin gives up on a FIFO that nobody writes to", async (t) => {
  await withFolder(async (dir) => {
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    if (!made.success) throw new Error("mkfifo failed");
    // Opening the write end lets the abandoned open finish, so no
    // operation outlives the step; the server's own is closed when it does.
    const release = async () =>
      (await Deno.open(fifo, { write: true })).close();
    await t.step("after the time given", async () => {
      const clock = new ManualClock();
      const opening = openWithin(fifo, { clock, timeoutMs: 50 });
      let settled = false;
      opening.catch(() => {}).finally(() => settled = true);
      await clock.advance(49);
      assertEquals(settled, false, "given up before its time");
      await clock.advance(1);
      await assertRejects(
        () => within(opening, "openWithin to give up"),
        Deno.errors.TimedOut,
        "it did not open in time",
      );
      await release();
    });
    await t.step("when the connection is stopped", async () => {
      const stop = new AbortController();
      const opening = openWithin(fifo, OPEN_LIMIT, stop.signal);
      stop.abort();
      await assertRejects(
        () => within(opening, "openWithin to give up"),
        Deno.errors.TimedOut,
      );
      await release();
    });
    await t.step("and still opens a regular file", async () => {
      await Deno.writeTextFile(`${dir}/ok.txt`, "fine");
      using file = await openWithin(`${dir}/ok.txt`, OPEN_LIMIT);
      assertEquals((await file.stat()).size, 4);
    });
  });
});
