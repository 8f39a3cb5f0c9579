/**
 * Deno's permissions as the last line of defence: a server whose own checks
 * were bypassed still cannot read outside its files folder.
 */

import { CONFIG, permissionFlags, readTasks } from "../tools/tasks.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { spawnServer } from "../tools/programs.ts";
import { RawClient } from "./support/raw_client.ts";

const FIXTURE =
  new URL("./fixtures/tricked_server.ts", import.meta.url).pathname;

/** Runs the tricked server in `dir` and asks it for `../secret.txt`. */
async function askForSecret(permissions: string[], dir: string) {
  await using server = await spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", CONFIG, ...permissions, FIXTURE],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }),
  );
  const { client } = await RawClient.greeted(server.port);
  using _ = client;
  await client.send("get ../secret.txt");
  const header = await client.reply().catch(() => null);
  if (header === null) return ""; // closed without a reply
  if (header.code !== 150) return header.lines.join("\n");
  return new TextDecoder().decode(await client.payload());
}

Deno.test("the server cannot read outside its folder even with its checks bypassed", async (t) => {
  const base = await Deno.makeTempDir({ prefix: "ackline-perm-" });
  await Deno.mkdir(`${base}/files`);
  await Deno.writeTextFile(`${base}/secret.txt`, "TOP SECRET");
  const taskPermissions = permissionFlags((await readTasks()).server);
  try {
    await t.step("with the server task's permissions", async () => {
      const received = await askForSecret(taskPermissions, base);
      assert(!received.includes("TOP SECRET"), received);
      assertEquals(received, ""); // the connection was closed, nothing sent
    });
    await t.step(
      "control: with read access everywhere the hole leaks",
      async () => {
        const everywhere = taskPermissions.map((flag) =>
          flag.startsWith("--allow-read") ? "--allow-read" : flag
        );
        const received = await askForSecret(everywhere, base);
        assert(received.includes("TOP SECRET"), received);
      },
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
