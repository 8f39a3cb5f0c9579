import { flagsOf } from "../../lib/common/commands.ts";
import { taskPermissions } from "../../lib/client/config.ts";
import { permissionFlags, readTasks } from "../../tools/tasks.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("the client knows the permissions of its task, for the commands it suggests", async () => {
  const home = "/home/someone";
  assertEquals(
    flagsOf(taskPermissions(`${home}/.ackline_history`)),
    permissionFlags((await readTasks()).client, { HOME: home }),
  );
});
