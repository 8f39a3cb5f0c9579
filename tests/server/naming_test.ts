import { clientName, ClientNamer } from "../../lib/server/naming.ts";
import { assertEquals, assertThrows } from "../support/assert.ts";

Deno.test("clientName pads to two digits and grows past 99", () => {
  assertEquals(clientName(1), "Client01");
  assertEquals(clientName(9), "Client09");
  assertEquals(clientName(99), "Client99");
  assertEquals(clientName(100), "Client100");
  assertEquals(clientName(12345), "Client12345");
  assertThrows(() => clientName(0), RangeError);
});

Deno.test("ClientNamer hands out names in order, never twice", () => {
  const namer = new ClientNamer();
  const names = Array.from({ length: 101 }, () => namer.next());
  assertEquals(names.slice(0, 2), ["Client01", "Client02"]);
  assertEquals(names.slice(98), ["Client99", "Client100", "Client101"]);
  assertEquals(new Set(names).size, names.length);
});
