import { ConnectionCache } from "../../lib/server/cache.ts";
import { assertEquals, assertThrows } from "../support/assert.ts";

Deno.test("ConnectionCache records connects and disconnects in order", () => {
  const cache = new ConnectionCache();
  const t0 = new Date(2025, 1, 8, 20, 8, 40);
  const t1 = new Date(2025, 1, 8, 20, 8, 47);
  cache.connect("Client01", "127.0.0.1:1", t0);
  cache.connect("Client02", "127.0.0.1:2", t0);
  assertEquals(cache.connected, 2);
  cache.disconnect("Client01", t1);
  cache.disconnect("Client01", new Date(2030, 0, 1)); // the first time stays
  assertEquals(cache.connected, 1);
  assertEquals(cache.size, 2);
  assertEquals(cache.records(), [
    {
      name: "Client01",
      address: "127.0.0.1:1",
      connectedAt: t0,
      disconnectedAt: t1,
    },
    {
      name: "Client02",
      address: "127.0.0.1:2",
      connectedAt: t0,
      disconnectedAt: null,
    },
  ]);
});

Deno.test("ConnectionCache refuses duplicate and unknown names", () => {
  const cache = new ConnectionCache();
  cache.connect("Client01", "a", new Date());
  assertThrows(
    () => cache.connect("Client01", "b", new Date()),
    Error,
    "already recorded",
  );
  assertThrows(
    () => cache.disconnect("Client09", new Date()),
    Error,
    "not recorded",
  );
});

Deno.test("ConnectionCache keeps every connected client and only the latest that left", () => {
  const cache = new ConnectionCache(2);
  const at = new Date(2025, 1, 8);
  for (let i = 1; i <= 6; i++) cache.connect(`C${i}`, "a", at);
  for (const name of ["C2", "C4", "C5", "C1"]) cache.disconnect(name, at);
  // C2 and C4 left first: forgotten. C5 and C1 are the latest to leave.
  assertEquals(cache.records().map((r) => r.name), ["C1", "C3", "C5", "C6"]);
  assertEquals([cache.size, cache.connected, cache.forgotten], [6, 2, 2]);
  cache.disconnect("C5", new Date(2030, 0, 1)); // the first time stays
  assertEquals(cache.records()[2].disconnectedAt, at);
  assertThrows(() => cache.connect("C5", "b", at), Error, "already recorded");
  assertThrows(() => cache.disconnect("C9", at), Error, "not recorded");
});

Deno.test("ConnectionCache with no history keeps only connected clients", () => {
  const cache = new ConnectionCache(0);
  const at = new Date();
  cache.connect("A", "a", at);
  cache.connect("B", "b", at);
  cache.disconnect("A", at);
  assertEquals(cache.records().map((r) => r.name), ["B"]);
  assertEquals(cache.forgotten, 1);
  assertThrows(() => new ConnectionCache(-1), RangeError);
});

Deno.test("ConnectionCache memory stays flat under endless churn", () => {
  const cache = new ConnectionCache(1000);
  const at = new Date();
  for (let i = 0; i < 50_000; i++) {
    cache.connect(`C${i}`, "127.0.0.1:1", at);
    cache.disconnect(`C${i}`, at);
  }
  assertEquals(cache.records().length, 1000);
  assertEquals(cache.records()[0].name, "C49000");
  assertEquals([cache.size, cache.forgotten], [50_000, 49_000]);
});
