import {
  integerFlag,
  parseFlags,
  sizeFlag,
  UsageError,
} from "../../lib/common/cli.ts";
import { assertEquals, assertThrows } from "../support/assert.ts";

Deno.test("parseFlags reads the named string flags and --help", () => {
  const none = { switches: {}, positional: [] };
  assertEquals(parseFlags(["--port", "80", "--host=::1"], ["port", "host"]), {
    help: false,
    values: { port: "80", host: "::1" },
    ...none,
  });
  assertEquals(parseFlags(["-h"], ["port"]), {
    help: true,
    values: {},
    ...none,
  });
  assertEquals(parseFlags(["--help"], []), { help: true, values: {}, ...none });
  assertEquals(parseFlags([], ["port"]), { help: false, values: {}, ...none });
});

Deno.test("parseFlags reads switches, aliases and arguments as typed", () => {
  const spec = {
    switches: ["overwrite", "no-history"],
    aliases: { o: "output" },
    positional: true,
  };
  assertEquals(
    parseFlags(["get", "007", "-o", "x", "--overwrite", "--", "-a"], [
      "output",
    ], spec),
    {
      help: false,
      values: { output: "x" },
      switches: { overwrite: true, "no-history": false },
      positional: ["get", "007", "-a"],
    },
  );
  assertEquals(parseFlags(["--no-history"], [], spec).switches, {
    overwrite: false,
    "no-history": true,
  });
  // Without `positional`, arguments after `--` are refused too.
  const error = assertThrows(() => parseFlags(["--", "x"], []), UsageError);
  assertEquals(error.message, "Unexpected argument: x");
});

Deno.test("parseFlags takes a negative number as a flag's value, not a flag", () => {
  assertEquals(parseFlags(["--port", "-1"], ["port"]).values, { port: "-1" });
  assertEquals(
    parseFlags(["--port", "-1", "--host", "h"], ["port", "host"]).values,
    { port: "-1", host: "h" },
  );
  // Only for the named flags, and only numbers.
  assertThrows(() => parseFlags(["--port", "-x"], ["port"]), UsageError);
});

Deno.test("parseFlags refuses unknown flags, arguments and missing values", () => {
  const cases: [string[], string][] = [
    [["--bogus"], "Unknown flag: --bogus"],
    [["--bogus=1"], "Unknown flag: --bogus"],
    [["extra"], "Unexpected argument: extra"],
    [["--port"], "--port needs a value"],
    [["--port="], "--port needs a value"],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parseFlags(args, ["port"]), UsageError);
    assertEquals(error.message, message, args.join(" "));
  }
});

Deno.test("integerFlag takes whole numbers in range, or the fallback", () => {
  const range = { min: 1, max: 10, fallback: 5 };
  assertEquals(integerFlag("n", undefined, range), 5);
  assertEquals(integerFlag("n", "1", range), 1);
  assertEquals(integerFlag("n", "10", range), 10);
  assertEquals(integerFlag("n", "007", range), 7);
  for (const value of ["0", "11", "-1", "1.5", "1e1", "abc", " 3", ""]) {
    const error = assertThrows(
      () => integerFlag("n", value, range),
      UsageError,
    );
    assertEquals(
      error.message,
      `--n must be an integer from 1 to 10, got ${value}`,
    );
  }
});

Deno.test("sizeFlag reads bytes with an optional binary unit", () => {
  const cases: [string | undefined, number][] = [
    [undefined, 7],
    ["0", 0],
    ["1024", 1024],
    ["500M", 500 * 1024 ** 2],
    ["16G", 16 * 1024 ** 3],
    ["2gib", 2 * 1024 ** 3],
    ["1 KB", 1024],
    ["3t", 3 * 1024 ** 4],
  ];
  for (const [value, bytes] of cases) {
    assertEquals(sizeFlag("max-size", value, 7), bytes, String(value));
  }
  for (const bad of ["", "-1", "1.5G", "G", "12X", "99999999999T"]) {
    const error = assertThrows(
      () => sizeFlag("max-size", bad, 7),
      UsageError,
    );
    assertEquals(
      error.message,
      `--max-size must be a size such as 500M or 16G (0 for none), got ${bad}`,
    );
  }
});
