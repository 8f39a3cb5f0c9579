import { joinPath, SEPARATOR } from "../../lib/common/path.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("joinPath adds one separator between folder and name", () => {
  assertEquals(joinPath("dl", "a.txt"), `dl${SEPARATOR}a.txt`);
  assertEquals(joinPath("dl/", "a.txt"), "dl/a.txt");
  assertEquals(joinPath(`dl${SEPARATOR}`, "a.txt"), `dl${SEPARATOR}a.txt`);
  assertEquals(joinPath("/", "a"), "/a");
});

Deno.test("SEPARATOR is the platform's", () => {
  assertEquals(SEPARATOR, Deno.build.os === "windows" ? "\\" : "/");
});
