import { formatStatus, parseStatusSummary } from "../../lib/server/status.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("formatStatus aligns the table and sums up", () => {
  const at = (s: number, ms = 0) => new Date(2025, 1, 8, 20, 8, s, ms);
  const { lines, summary } = formatStatus([
    {
      name: "Client01",
      address: "127.0.0.1:49688",
      connectedAt: at(40),
      disconnectedAt: at(47, 904),
    },
    {
      name: "Client02",
      address: "[::1]:5",
      connectedAt: at(50),
      disconnectedAt: null,
      agent: "ackline-client/1.0.0",
    },
  ], at(59));
  assertEquals(lines, [
    "Client    Address          Connected                Disconnected             Duration  Program",
    "Client01  127.0.0.1:49688  2025-02-08 20:08:40.000  2025-02-08 20:08:47.904  7.9 s     -",
    "Client02  [::1]:5          2025-02-08 20:08:50.000  -                        9.0 s     ackline-client/1.0.0",
  ]);
  assertEquals(summary, "2 clients since start, 1 connected");
});

Deno.test("formatStatus with no clients is just the header", () => {
  const { lines, summary } = formatStatus([], new Date());
  assertEquals(lines.length, 1);
  assertEquals(summary, "0 clients since start, 0 connected");
});

Deno.test("parseStatusSummary reads the summary line back", () => {
  const { summary } = formatStatus([{
    name: "Client01",
    address: "a",
    connectedAt: new Date(0),
    disconnectedAt: null,
  }], new Date(1));
  assertEquals(summary, "1 client since start, 1 connected");
  assertEquals(parseStatusSummary(summary), {
    total: 1,
    connected: 1,
    notShown: 0,
  });
  assertEquals(
    parseStatusSummary(
      "12 clients since start, 3 connected; 4 earlier clients not shown",
    ),
    { total: 12, connected: 3, notShown: 4 },
  );
  assertEquals(parseStatusSummary("Client01  a  b"), null);
});

Deno.test("formatStatus says how many earlier clients it leaves out", () => {
  const record = {
    name: "Client09",
    address: "a",
    connectedAt: new Date(0),
    disconnectedAt: null,
  };
  assertEquals(
    formatStatus([record], new Date(1), { accepted: 9, forgotten: 8 }).summary,
    "9 clients since start, 1 connected; 8 earlier clients not shown",
  );
  assertEquals(
    formatStatus([record], new Date(1), { accepted: 2, forgotten: 1 }).summary,
    "2 clients since start, 1 connected; 1 earlier client not shown",
  );
});
