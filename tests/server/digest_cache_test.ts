import {
  DigestCache,
  RACY_MS,
  sameVersion,
} from "../../lib/server/digest_cache.ts";
import { assertEquals } from "../support/assert.ts";
import { withTempDir } from "../support/files.ts";

// Long after the files here were written: their digests may be remembered.
const LATER = Date.now() + 60_000;

Deno.test("DigestCache answers only for the same version of a file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/f`;
    await Deno.writeFile(path, new Uint8Array(10));
    const cache = new DigestCache(2);
    const info = await Deno.stat(path);
    assertEquals(cache.get(path, info), null);
    cache.set(path, info, "d1", LATER);
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
    cache.set(path, { ...info, mtime: null }, "never", LATER);
    assertEquals(cache.get(path, info), "d1", "no time, nothing recorded");
  });
});

Deno.test("DigestCache forgets the oldest entry past its capacity", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/f`, new Uint8Array(1));
    const info = await Deno.stat(`${dir}/f`);
    const cache = new DigestCache(2);
    cache.set("a", info, "d1", LATER);
    cache.set("b", info, "d2", LATER);
    cache.set("a", info, "d1 again", LATER); // a is now the newest
    cache.set("c", info, "d3", LATER);
    assertEquals(cache.get("b", info), null); // evicted, oldest first
    assertEquals(cache.get("a", info), "d1 again");
    assertEquals(cache.get("c", info), "d3");
  });
});

Deno.test("DigestCache does not remember a file changed just before it was read", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/f`;
    await Deno.writeFile(path, new Uint8Array(10));
    const info = await Deno.stat(path);
    const changed = info.mtime!.getTime();
    const cache = new DigestCache();
    // Read within RACY_MS of its last change: a same-size rewrite in the
    // same tick would look like the same version.
    cache.set(path, info, "racy", changed + RACY_MS - 1);
    assertEquals(cache.get(path, info), null);
    cache.set(path, info, "settled", changed + RACY_MS);
    assertEquals(cache.get(path, info), "settled");
    assertEquals(RACY_MS, 2000);
  });
});

Deno.test("sameVersion compares what changes when the content does", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/f`, new Uint8Array(1));
    const info = await Deno.stat(`${dir}/f`);
    assertEquals(sameVersion(info, { ...info }), true);
    assertEquals(sameVersion(info, { ...info, size: 2 }), false);
    assertEquals(
      sameVersion({ ...info, mtime: null }, { ...info, mtime: null }),
      false,
    );
  });
});
