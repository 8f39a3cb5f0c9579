import { IdleSweep } from "../../lib/server/idle.ts";
import { ConnectionCache } from "../../lib/server/cache.ts";
import { resolveConfig } from "../../lib/server/config.ts";
import { LingerPlaces } from "../../lib/server/linger.ts";
import { ClientConnection } from "../../lib/server/connection.ts";
import type { ServerContext } from "../../lib/server/context.ts";
import { DigestCache } from "../../lib/server/digest_cache.ts";
import {
  HashThreads,
  MAX_HASH_THREADS,
} from "../../lib/server/hash_threads.ts";
import {
  FileRefusal,
  type OpenedFile,
  type Repository,
} from "../../lib/server/repository.ts";
import { runSession } from "../../lib/server/session.ts";
import { within } from "../../tools/wait.ts";
import { assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";
import { RawClient } from "../support/raw_client.ts";

const IDLE_MS = 300;

/**
 * One session of a server whose folder opens a file only when the test
 * says, on a clock the test moves: a client connected to it, and the
 * session's end.
 */
async function slowFolderSession(clock: ManualClock) {
  const opening = Promise.withResolvers<void>();
  const opened = Promise.withResolvers<OpenedFile>();
  const repository: Repository = {
    list: () => Promise.resolve({ entries: [], notUtf8: 0 }),
    openFile() {
      opening.resolve();
      return opened.promise;
    },
  };
  const config = resolveConfig({ timings: { idleMs: IDLE_MS } });
  const server: ServerContext = {
    cache: new ConnectionCache(),
    repository,
    digests: new DigestCache(),
    hashThreads: new HashThreads({
      max: MAX_HASH_THREADS,
      idleMs: config.timings.hashThreadIdleMs,
      clock,
    }),
    log: () => {},
    config,
    access: { hostname: "127.0.0.1", token: false, open: false, tls: false },
    token: null,
    clock,
  };
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, conn] = await Promise.all([
    RawClient.connect(listener.addr.port),
    listener.accept(),
  ]);
  listener.close();
  server.cache.connect("Client01", "test", clock.date());
  const connection = new ClientConnection(conn, {
    maxLineBytes: config.maxLineBytes,
    timings: config.timings,
    clock,
    lingering: new LingerPlaces(1),
    idle: new IdleSweep(clock),
  });
  const ended = runSession(connection, "Client01", server);
  return { client, opening, opened, ended };
}

Deno.test("a request counts as activity when it arrives, however long its answer takes", async () => {
  const clock = new ManualClock();
  const { client, opening, opened, ended } = await slowFolderSession(clock);
  try {
    assertEquals((await client.reply()).code, 220);
    // A download asked for just before the idle timeout would be up, whose
    // file takes its time to open: the timeout passes meanwhile, twice.
    await clock.advance(IDLE_MS - 10);
    await client.send("get slow.bin");
    await within(opening.promise, "the file to be opened");
    await clock.advance(2 * IDLE_MS);
    opened.reject(new FileRefusal("missing", "slow.bin"));
    assertEquals(await client.reply(), {
      code: 550,
      lines: ["No such file: slow.bin"],
    });
    // Not closed as idle: the request was activity when it came.
    assertEquals(await client.request("still here"), {
      code: 250,
      lines: ["still hereACK"],
    });
    await clock.advance(IDLE_MS);
    assertEquals((await client.reply()).code, 421);
  } finally {
    client.close();
    await within(ended, "the session to end");
  }
});
