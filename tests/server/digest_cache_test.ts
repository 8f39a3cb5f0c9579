import { DigestCache } from "../../lib/server/digest_cache.ts";
import { assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/files.ts";

Deno.test("DigestCache answers only for the same version of a file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/f`;
    await Deno.writeFile(path, new Uint8Array(10));
    const cache = new DigestCache(2);
    const info = await Deno.stat(path);
    assertEquals(cache.get(path, info), null);
    cache.set(path, info, "d1");
    assertEquals(cache.get(path, info), "d1");
    assertEquals(cache.get(`${dir}/other`, info), null);
    await Deno.writeFile(path, new Uint8Array(11));
    assertEquals(cache.get(path, await Deno.stat(path)), null);
    for (
      const changed of [
        { ...info, ino: (info.ino ?? 0) + 1 },
        { ...info, size: info.size + 1 },
        { ...info, mtime: new Date(info.mtime!.getTime() + 1) },
        { ...info, ctime: new Date(info.ctime!.getTime() + 1) },
        { ...info, dev: info.dev + 1 },
      ]
    ) {
      assertEquals(cache.get(path, changed), null, JSON.stringify(changed));
    }
    assertEquals(cache.get(path, { ...info, mtime: null }), null);
    cache.set(path, { ...info, mtime: null }, "never");
    assertEquals(cache.get(path, info), "d1", "no time, nothing recorded");
  });
});

Deno.test("DigestCache forgets the oldest entry past its capacity", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/f`, new Uint8Array(1));
    const info = await Deno.stat(`${dir}/f`);
    const cache = new DigestCache(2);
    cache.set("a", info, "d1");
    cache.set("b", info, "d2");
    cache.set("a", info, "d1 again"); // a is now the newest
    cache.set("c", info, "d3");
    assertEquals(cache.get("b", info), null); // evicted, oldest first
    assertEquals(cache.get("a", info), "d1 again");
    assertEquals(cache.get("c", info), "d3");
  });
});
