import { assertEquals, assertRejects } from "@std/assert";
import {
  FileRefusal,
  FileRepository,
  RepositoryError,
} from "../lib/repository.ts";

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
      () => FileRepository.open(`${dir}/nope`),
      RepositoryError,
      "does not exist",
    );
    await assertRejects(
      () => FileRepository.open(outside),
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
    const repo = await FileRepository.open(dir);
    const entries = await repo.list();
    assertEquals(entries.map((e) => [e.name, e.size]), [["a.bin", 1000], [
      "b.txt",
      2,
    ]]);
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
    const repo = await FileRepository.open(dir);
    const refused: [string, string][] = [
      ["missing", "No such file"],
      ["sub", "Not a regular file"],
      ["..", "Not a file name"],
      [".", "Not a file name"],
      ["../secret.txt", "Not a file name"],
      [outside, "Not a file name"],
      ["sub/inner.txt", "Not a file name"],
      ["sub\\inner.txt", "Not a file name"],
      ["a\u0000b", "Not a file name"],
      ["escape", "No such file"],
      ["device", "No such file"],
    ];
    if (madeFifo) refused.push(["pipe", "Not a regular file"]);
    for (const [name, message] of refused) {
      await t.step(JSON.stringify(name), async () => {
        const error = await assertRejects(
          () => repo.openFile(name),
          FileRefusal,
          message,
        );
        assertEquals(error.code, 550);
      });
    }
    await t.step("a symlink that stays inside is followed", async () => {
      const opened = await repo.openFile("inside-link");
      opened.file.close();
      assertEquals(opened.info.size, 4);
    });
  });
});
