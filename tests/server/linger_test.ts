import { IdleSweep } from "../../lib/server/idle.ts";
import { TIMINGS } from "../../lib/server/config.ts";
import { ClientConnection } from "../../lib/server/connection.ts";
import { LingerPlaces, lingerThenClose } from "../../lib/server/linger.ts";
import { assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";
import { within } from "../../tools/wait.ts";

/** A connected pair on loopback: the test's end and the server's. */
async function pair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [peer, conn] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  return [peer, conn];
}

Deno.test("lingering sockets are bounded: past the bound one closes at once", async () => {
  const places = new LingerPlaces(1);
  const [peerA, connA] = await pair();
  const [peerB, connB] = await pair();
  let peerAOpen = true;
  try {
    // The first lingers: its peer neither sends nor closes.
    let closedA = false;
    const lingering = lingerThenClose(connA, () => {
      closedA = true;
      connA.close();
    }, { places });
    // The second finds no place and is closed at once.
    let closedB = false;
    await lingerThenClose(connB, () => {
      closedB = true;
      connB.close();
    }, { places });
    assertEquals([closedA, closedB], [false, true]);
    // The first ends when its peer does, and gives its place back.
    peerA.close();
    peerAOpen = false;
    await within(lingering, "the first linger to end");
    assertEquals(closedA, true);
    assertEquals(places.take(), true);
  } finally {
    if (peerAOpen) peerA.close();
    peerB.close();
  }
});

Deno.test("a peer that never sent a byte is closed at once, with no linger", async () => {
  const clock = new ManualClock();
  const [peer, conn] = await pair();
  using _ = peer;
  const connection = new ClientConnection(conn, {
    maxLineBytes: 1024,
    timings: TIMINGS,
    clock,
    lingering: new LingerPlaces(1),
    idle: new IdleSweep(clock),
  });
  connection.stop({ kind: "shutdown" });
  // Not waiting for the peer, nor for the close grace on the clock.
  await within(connection.finish(), "the connection to close");
  assertEquals(connection.closed, true);
  assertEquals(clock.pending, 0);
});
