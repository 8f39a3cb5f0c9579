import { integerFlag, parseFlags, UsageError } from "../../lib/common/cli.ts";
import { assertEquals, assertThrows } from "../support/assert.ts";

Deno.test("parseFlags reads the named string flags and --help", () => {
  assertEquals(parseFlags(["--port", "80", "--host=::1"], ["port", "host"]), {
    help: false,
    values: { port: "80", host: "::1" },
  });
  assertEquals(parseFlags(["-h"], ["port"]), { help: true, values: {} });
  assertEquals(parseFlags(["--help"], []), { help: true, values: {} });
  assertEquals(parseFlags([], ["port"]), { help: false, values: {} });
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
