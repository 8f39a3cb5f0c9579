import {
  describeForClient,
  FileRefusal,
  FileRepository,
  RepositoryError,
} from "../../lib/server/repository.ts";
import { Opener } from "../../lib/server/opener.ts";
import { escapeName } from "../../lib/wire/names.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";

// Opens are not timed out here.
const opener = () =>
  new Opener({ clock: new ManualClock(), timeoutMs: 1000, maxStuck: 8 });

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
      () => FileRepository.open(`${dir}/nope`, opener()),
      RepositoryError,
      "does not exist",
    );
    await assertRejects(
      () => FileRepository.open(outside, opener()),
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
    const repo = await FileRepository.open(dir, opener());
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
    const repo = await FileRepository.open(dir, opener());
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
