import {
  HELP_LINES,
  HINT,
  readTypedLine,
  TYPED_COMMANDS,
} from "../../lib/client/commands.ts";
import { COMMAND_NAMES, COMMANDS } from "../../lib/wire/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("help has a line for every command a person types, from the table", () => {
  assertEquals(
    TYPED_COMMANDS,
    COMMAND_NAMES.filter((name) => COMMANDS[name].help !== null),
  );
  assertEquals(
    HELP_LINES[0],
    "  <message>    any other line is echoed back with ACK",
  );
  assertEquals(HELP_LINES.length, TYPED_COMMANDS.length + 1);
  TYPED_COMMANDS.forEach((name, i) => {
    const { usage, help } = COMMANDS[name];
    assertEquals(HELP_LINES[i + 1], `  ${usage.padEnd(13)}${help}`);
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
  });
  assertEquals(readTypedLine("get"), { kind: "download", name: "" });
  assertEquals(readTypedLine("status"), {
    kind: "send",
    request: { name: "status", args: null },
  });
  for (const line of ["hello world", "help me", "getter", " help"]) {
    assertEquals(readTypedLine(line), { kind: "send", request: null }, line);
  }
});
