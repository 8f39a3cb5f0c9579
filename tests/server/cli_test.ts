import { flagsOf } from "../../lib/common/commands.ts";
import { TASK_PERMISSIONS } from "../../lib/server/config.ts";
import { permissionFlags, readTasks } from "../../tools/tasks.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("the server knows the permissions of its task, for the commands it suggests", async () => {
  assertEquals(
    flagsOf(TASK_PERMISSIONS),
    permissionFlags((await readTasks()).server),
  );
});
