/**
 * Deno's permissions as the last line of defence: a server whose own checks
 * were bypassed still cannot read outside its files folder.
 */

import { assert, assertEquals } from "@std/assert";
import { RawClient, within } from "./helpers.ts";

const FIXTURE =
  new URL("./fixtures/tricked_server.ts", import.meta.url).pathname;

async function askForSecret(readPermission: string, filesDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", readPermission, FIXTURE, filesDir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (!/Listening on 127\.0\.0\.1:\d+\n/.test(log)) {
    const { value, done } = await within(lines.read(), "the server to listen");
    if (done) throw new Error(`Server did not start: ${log}`);
    log += value;
  }
  const port = Number(/Listening on 127\.0\.0\.1:(\d+)/.exec(log)![1]);
  const { client } = await RawClient.greeted(port);
  try {
    await client.send("get ../secret.txt");
    const header = await client.reply().catch(() => null);
    if (header === null) return ""; // closed without a reply
    if (header.code !== 150) return header.lines.join("\n");
    const size = Number(header.lines[0].split(" ")[0]);
    return new TextDecoder().decode(await client.bytes(size));
  } finally {
    client.close();
    child.kill("SIGTERM");
    await child.status;
    while (!(await lines.read()).done) { /* drain */ }
    await child.stderr.cancel();
  }
}

Deno.test("the server cannot read outside its folder even with its checks bypassed", async (t) => {
  const base = await Deno.makeTempDir({ prefix: "ackline-perm-" });
  const filesDir = `${base}/files`;
  await Deno.mkdir(filesDir);
  await Deno.writeTextFile(`${base}/secret.txt`, "TOP SECRET");
  try {
    await t.step(
      "with the task's permission (--allow-read=<files>)",
      async () => {
        const received = await askForSecret(
          `--allow-read=${filesDir}`,
          filesDir,
        );
        assert(!received.includes("TOP SECRET"), received);
        assertEquals(received, ""); // the connection was closed, nothing sent
      },
    );
    await t.step(
      "control: with read access everywhere the hole leaks",
      async () => {
        const received = await askForSecret("--allow-read", filesDir);
        assert(received.includes("TOP SECRET"), received);
      },
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
