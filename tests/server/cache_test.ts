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
