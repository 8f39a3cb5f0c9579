import {
  isWithin,
  joinPath,
  SEPARATOR,
  splitPath,
} from "../../lib/common/path.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("joinPath adds one separator between folder and name", () => {
  assertEquals(joinPath("dl", "a.txt"), `dl${SEPARATOR}a.txt`);
  assertEquals(joinPath("dl/", "a.txt"), "dl/a.txt");
  assertEquals(joinPath(`dl${SEPARATOR}`, "a.txt"), `dl${SEPARATOR}a.txt`);
  assertEquals(joinPath("/", "a"), "/a");
});

Deno.test("SEPARATOR is the platform's", () => {
  assertEquals(SEPARATOR, Deno.build.os === "windows" ? "\\" : "/");
});

Deno.test("splitPath gives a file's folder and name", () => {
  assertEquals(splitPath("a/b.txt"), ["a", "b.txt"]);
  assertEquals(splitPath("./a/b/c"), ["./a/b", "c"]);
  assertEquals(splitPath("b.txt"), [".", "b.txt"]);
  assertEquals(splitPath("/b.txt"), ["/", "b.txt"]);
  assertEquals(splitPath("a/"), ["a", ""]);
});

Deno.test("isWithin judges by names, relative or absolute, . and .. worked out", () => {
  const here = Deno.cwd();
  assert(isWithin("files/key.pem", "./files"));
  assert(isWithin("./files", "files"));
  assert(isWithin("files/../files/a/b", "files/"));
  assert(isWithin(`${here}/files/key.pem`, "files"));
  assert(isWithin("files/key.pem", `${here}/files`));
  assert(!isWithin("tls/key.pem", "./files"));
  assert(!isWithin("files/../key.pem", "./files"));
  assert(!isWithin("filesystem/key.pem", "./files"));
  assert(!isWithin("files", "./files/a"));
  assert(isWithin("/", "/"));
  assert(isWithin("/etc/x", "/"));
});
