import { Code } from "../../lib/wire/codes.ts";
import {
  COMMAND_NAMES,
  COMMANDS,
  REQUEST_NAMES,
  requestGrammar,
} from "../../lib/wire/commands.ts";
import {
  formatRequest,
  isUtf8,
  parseRequest,
  parseRequestText,
  showArguments,
} from "../../lib/wire/requests.ts";
import {
  formatIntroduction,
  INTRODUCTION_PATTERN,
} from "../../lib/wire/hello.ts";
import { assert, assertEquals } from "../support/assert.ts";

const encoder = new TextEncoder();

function request(text: string) {
  // The line sits inside other bytes: only its range may count.
  const bytes = encoder.encode(`__${text}__`);
  return parseRequest(bytes, 2, bytes.length - 2);
}

Deno.test("parseRequest knows the exact request words and echoes the rest", () => {
  assertEquals(request("status"), { name: "status", args: null });
  assertEquals(request("exit"), { name: "exit", args: null });
  assertEquals(request("list"), { name: "list", args: null });
  assertEquals(request("time"), { name: "time", args: null });
  assertEquals(request("get photo.png"), { name: "get", args: "photo.png" });
  assertEquals(request("get  spaced name.txt "), {
    name: "get",
    args: "spaced name.txt",
  });
  assertEquals(request("get"), { name: "get", args: "" });
  for (
    const text of [
      "Status",
      "exit ",
      " list",
      "getx",
      "gets a",
      "",
      "hello world",
      "exi",
      "times",
      "time now",
      "set x",
      "net",
      "g",
      // As long as a word, and starting like one:
      "stxtus",
      "statuz",
      "exix",
      "lisx",
      "tome",
      "gex a",
    ]
  ) {
    assertEquals(request(text), null, text);
  }
});

Deno.test("every request word is recognised alone on its line, hello in its full form only", () => {
  for (const name of REQUEST_NAMES) {
    const line = name === "hello" ? "hello Client01 test/1" : name;
    assertEquals(parseRequestText(line)?.name, name);
    assertEquals(parseRequestText(name + "x"), null, name + "x");
  }
  // The course's first message stays a message, and so does any hello
  // that is not a client's introduction.
  for (
    const message of [
      "hello",
      "hello world",
      "hello Client01",
      "hello world foo",
      "hello Client01 no-slash",
      "hello Client01 a/1 token extra",
    ]
  ) {
    assertEquals(parseRequestText(message), null, message);
  }
  const introduction = {
    name: "Client07",
    agent: "ackline-client/1.0.0",
    token: "s3cret",
  };
  const hello = parseRequestText("hello Client07 ackline-client/1.0.0 s3cret");
  assertEquals(hello, { name: "hello", args: introduction });
  // What the client writes is what the server reads, and the log never
  // shows the token.
  assertEquals(
    parseRequestText(formatRequest("hello", formatIntroduction(introduction))),
    hello,
  );
  assertEquals(showArguments(hello!), "Client07 ackline-client/1.0.0");
  assertEquals(
    parseRequestText("hello Client07 ackline-client/1.0.0")?.args,
    { ...introduction, token: null },
  );
});

Deno.test("the client's own commands are no requests: the server echoes them", () => {
  for (const name of COMMAND_NAMES) {
    assertEquals(REQUEST_NAMES.includes(name as never), !COMMANDS[name].local);
  }
  assertEquals(parseRequestText("help"), null);
});

Deno.test("the request grammar as data says what the table says", () => {
  const grammar = requestGrammar();
  assertEquals(grammar.map((row) => row.word), [...REQUEST_NAMES]);
  assertEquals(grammar.find((row) => row.word === "status"), {
    word: "status",
    form: "none",
    pattern: null,
  });
  assertEquals(grammar.find((row) => row.word === "get"), {
    word: "get",
    form: "rest",
    pattern: null,
  });
  assertEquals(
    grammar.find((row) => row.word === "hello")?.pattern,
    INTRODUCTION_PATTERN.source,
  );
});

const PROTOCOL = await Deno.readTextFile(
  new URL("../../PROTOCOL.md", import.meta.url),
);

Deno.test("PROTOCOL.md has a section for every request and every reply code", () => {
  const headings = PROTOCOL.split("\n").filter((line) => line.startsWith("#"));
  for (const name of REQUEST_NAMES) {
    assert(
      headings.some((heading) => heading.includes("`" + name)),
      `PROTOCOL.md has no section on ${name}`,
    );
  }
  const codes = new Set([
    ...Object.values(Code),
    ...REQUEST_NAMES.map((name) => COMMANDS[name].code),
  ]);
  const table = new Set(
    [...PROTOCOL.matchAll(/^\| (\d{3}) +\|/gm)].map((match) =>
      Number(match[1])
    ),
  );
  assertEquals(table, codes, "the codes of PROTOCOL.md's table");
});

Deno.test("parseRequestText and formatRequest read and write the same lines", () => {
  assertEquals(parseRequestText(formatRequest("get", "a b.txt")), {
    name: "get",
    args: "a b.txt",
  });
  assertEquals(formatRequest("status"), "status");
  assertEquals(parseRequestText("get 日本語.txt"), {
    name: "get",
    args: "日本語.txt",
  });
});

Deno.test("isUtf8 accepts text and rejects broken sequences", () => {
  const ok = encoder.encode("abc é 🎉");
  assertEquals(isUtf8(ok, 0, ok.length), true);
  assertEquals(isUtf8(new Uint8Array([0x61, 0xc3]), 0, 2), false);
  assertEquals(isUtf8(new Uint8Array([0xed, 0xa0, 0x80]), 0, 3), false); // surrogate
  assertEquals(isUtf8(new Uint8Array([0xff, 0x61]), 1, 2), true); // only the range counts
  assertEquals(isUtf8(new Uint8Array([0x61, 0xff]), 0, 1), true);
  // The smallest byte that is not ASCII: a lone continuation byte.
  assertEquals(isUtf8(new Uint8Array([0x61, 0x80]), 0, 2), false);
  assertEquals(isUtf8(new Uint8Array([0x7f]), 0, 1), true);
});
