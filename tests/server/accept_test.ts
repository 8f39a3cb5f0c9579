import {
  acceptLoop,
  FIRST_BACKOFF_MS,
  MAX_BACKOFF_MS,
} from "../../lib/server/accept.ts";
import type { LogKind } from "../../lib/server/log.ts";
import { SYSTEM_CLOCK } from "../../lib/common/mod.ts";
import { assertEquals } from "../support/assert.ts";
import { within } from "../../tools/wait.ts";

/** A connection stand-in: the loop only hands it over or closes it. */
function fakeConn(id: number): Deno.TcpConn {
  return { id, close() {} } as unknown as Deno.TcpConn;
}

/**
 * Runs the loop over a listener that fails or accepts as `script` says
 * (an Error to throw, or a number for a connection), then closes.
 */
async function run(script: (Error | number)[]) {
  const handled: number[] = [];
  const pauses: number[] = [];
  const logs: string[] = [];
  const steps = [...script, new Deno.errors.BadResource("closed")];
  await within(
    acceptLoop(
      {
        accept() {
          const step = steps.shift()!;
          return typeof step === "number"
            ? Promise.resolve(fakeConn(step))
            : Promise.reject(step);
        },
      },
      (conn) => handled.push((conn as unknown as { id: number }).id),
      {
        log: (kind: LogKind, message: string) =>
          logs.push(`${kind}: ${message}`),
        signal: new AbortController().signal,
        clock: {
          ...SYSTEM_CLOCK,
          sleep: (ms) => {
            pauses.push(ms);
            return Promise.resolve();
          },
        },
      },
    ),
    "the accept loop to end",
  );
  return { handled, pauses, logs };
}

Deno.test("a connection reset before it was accepted is skipped at once, unlogged", async () => {
  const result = await run([
    new Deno.errors.NotConnected("gone"),
    new Deno.errors.ConnectionReset("reset"),
    new Deno.errors.ConnectionAborted("aborted"),
    1,
    new Deno.errors.NotConnected("gone"),
    2,
  ]);
  assertEquals(result, { handled: [1, 2], pauses: [], logs: [] });
});

Deno.test("running out of file descriptors backs off, logged once per burst", async () => {
  const emfile = () => new Error("Too many open files (os error 24)");
  const { handled, pauses, logs } = await run([
    ...Array.from({ length: 10 }, emfile),
    1,
    emfile(),
    emfile(),
    2,
  ]);
  assertEquals(handled, [1, 2]);
  assertEquals(FIRST_BACKOFF_MS, 5);
  assertEquals(MAX_BACKOFF_MS, 1000);
  assertEquals(pauses, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 5, 10]);
  assertEquals(logs, [
    "ERROR: Accept failed: Error: Too many open files (os error 24); retrying",
    "SERVER: Accepting again after 10 failed attempts",
    "ERROR: Accept failed: Error: Too many open files (os error 24); retrying",
    "SERVER: Accepting again after 2 failed attempts",
  ]);
});

Deno.test("the accept loop ends when stopped, closing a connection it took too late", async () => {
  const stop = new AbortController();
  const closed: number[] = [];
  let handled = 0;
  await within(
    acceptLoop(
      {
        accept() {
          stop.abort(); // the stop comes while this connection arrives
          return Promise.resolve(
            { close: () => closed.push(1) } as unknown as Deno.TcpConn,
          );
        },
      },
      () => handled++,
      { log: () => {}, signal: stop.signal, clock: SYSTEM_CLOCK },
    ),
    "the accept loop to end",
  );
  assertEquals([handled, closed], [0, [1]]);
});

Deno.test("the loop waits for what beforeAccept gives before it accepts again", async () => {
  const events: string[] = [];
  let next = 0;
  const asked = Promise.withResolvers<void>();
  const turn = Promise.withResolvers<void>();
  const stop = new AbortController();
  const loop = acceptLoop(
    {
      accept() {
        events.push("accept");
        if (next === 2) stop.abort();
        return Promise.resolve(fakeConn(next++));
      },
    },
    (conn) => events.push(`handle ${(conn as unknown as { id: number }).id}`),
    {
      log: () => {},
      signal: stop.signal,
      clock: SYSTEM_CLOCK,
      // A turn is asked for before the second accept only.
      beforeAccept: () => {
        if (next !== 1) return null;
        asked.resolve();
        return turn.promise;
      },
    },
  );
  await within(asked.promise, "a turn to be asked for");
  assertEquals(events, ["accept", "handle 0"]);
  turn.resolve();
  await within(loop, "the accept loop to end");
  assertEquals(events, ["accept", "handle 0", "accept", "handle 1", "accept"]);
});
