import { parseCommandLine } from "../../lib/client/cli.ts";
import { completeLine } from "../../lib/client/completion.ts";
import {
  cancelledText,
  downloadLine,
  HELP_LINES,
  HINT,
  readTypedLine,
  TYPED_COMMANDS,
  typedName,
} from "../../lib/client/commands.ts";
import { COMMAND_NAMES, COMMANDS, unescapeName } from "../../lib/wire/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("help has a line for every command a person types, from the table", () => {
  assertEquals(
    TYPED_COMMANDS,
    COMMAND_NAMES.filter((name) => COMMANDS[name].help !== null),
  );
  assertEquals(
    HELP_LINES[0],
    "  <message>       any other line is echoed back with ACK",
  );
  // Each row, and the client's own `get -c` after `get`'s.
  const rows = HELP_LINES.slice(1);
  const continued = rows.findIndex((line) =>
    line.startsWith("  get -c <name>")
  );
  assertEquals(continued, TYPED_COMMANDS.indexOf("get") + 1);
  rows.splice(continued, 1);
  assertEquals(rows.length, TYPED_COMMANDS.length);
  TYPED_COMMANDS.forEach((name, i) => {
    const { usage, help } = COMMANDS[name];
    assertEquals(rows[i], `  ${usage.padEnd(16)}${help}`);
  });
  assertEquals(
    HINT,
    `Type a message to have it echoed with ACK, or: ${
      TYPED_COMMANDS.map((name) => COMMANDS[name].usage).join(", ")
    }`,
  );
  // The course's commands are all there.
  for (const word of ["status", "list", "get <name>", "time", "help", "exit"]) {
    assertEquals(HINT.includes(word), true, word);
  }
});

Deno.test("a typed line is the client's own command, a download, or something to send", () => {
  assertEquals(readTypedLine("help"), { kind: "local", name: "help" });
  assertEquals(readTypedLine("get my file.txt"), {
    kind: "download",
    name: "my file.txt",
    resume: false,
  });
  assertEquals(readTypedLine("get"), {
    kind: "download",
    name: "",
    resume: false,
  });
  // `get -c` goes on from a kept part; alone it names nothing.
  assertEquals(readTypedLine("get -c  my file.txt"), {
    kind: "download",
    name: "my file.txt",
    resume: true,
  });
  assertEquals(readTypedLine("get -c"), {
    kind: "download",
    name: "",
    resume: true,
  });
  assertEquals(readTypedLine("get -cx"), {
    kind: "download",
    name: "-cx",
    resume: false,
  });
  assertEquals(readTypedLine("status"), {
    kind: "send",
    request: { name: "status", args: null },
  });
  for (const line of ["hello world", "help me", "getter", " help"]) {
    assertEquals(readTypedLine(line), { kind: "send", request: null }, line);
  }
});

Deno.test("a stopped download says what was kept and how to go on, as typed where it ran", () => {
  assertEquals(
    cancelledText("get a b.txt", false, false),
    "Download of a b.txt cancelled; nothing was kept",
  );
  assertEquals(
    cancelledText("get -c a b.txt", false, true),
    "Download of a b.txt stopped; what arrived is kept: type get -c a b.txt to go on from there",
  );
  assertEquals(
    cancelledText("get -c a b.txt", true, true),
    "Download of a b.txt stopped; what arrived is kept: run the same command again to go on from there",
  );
  // A get -c that kept nothing says so too.
  assertEquals(
    cancelledText("get -c a b.txt", true, false),
    "Download of a b.txt cancelled; nothing was kept",
  );
  assertEquals(cancelledText("status", false, false), "Cancelled");
});

Deno.test("a name that reads as -c NAME is typed with its dash escaped, and read back as itself", () => {
  assertEquals(typedName("-c x"), "\\x2dc x");
  assertEquals(typedName("-c"), "\\x2dc");
  assertEquals(typedName("-cx"), "-cx");
  assertEquals(downloadLine("-c x", false), "get \\x2dc x");
  assertEquals(downloadLine("-c x", true), "get -c \\x2dc x");
  assertEquals(readTypedLine(downloadLine("-c x", false)), {
    kind: "download",
    name: "\\x2dc x",
    resume: false,
  });
  assertEquals(unescapeName("\\x2dc x"), "-c x");
  // Tab puts such a name in as it must be typed.
  assertEquals(completeLine("get -", ["-c x", "-d"]), [
    ["\\x2dc x", "-d"],
    "-",
  ]);
  // The one-shot form takes the name after get as given.
  assertEquals(
    parseCommandLine(["get", "--", "-c x"])?.oneShot,
    "get \\x2dc x",
  );
  assertEquals(
    parseCommandLine(["get", "-c", "big.bin"])?.oneShot,
    "get -c big.bin",
  );
});
