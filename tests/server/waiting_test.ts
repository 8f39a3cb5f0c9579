import { MAX_WAITING, PUSHED_OUT_PER_TURN } from "../../lib/server/config.ts";
import type { ClientConnection } from "../../lib/server/connection.ts";
import { WaitingRoom } from "../../lib/server/waiting.ts";
import { assert, assertEquals } from "../support/assert.ts";

// The room looks at a newcomer only as a key and at whether it is stopping.
function newcomer(): ClientConnection {
  return { stopReason: null } as ClientConnection;
}

function fill(room: WaitingRoom): ClientConnection[] {
  const all = Array.from({ length: MAX_WAITING }, newcomer);
  for (const one of all) assertEquals(room.enter(one), undefined);
  return all;
}

Deno.test("sockets get a turn before a newcomer pushes out one that came in since the last", () => {
  const room = new WaitingRoom();
  const first = fill(room);
  // Its line may have come, unread: accepts run ahead of reads.
  assert(room.needsTurn());
  room.turned();
  assert(!room.needsTurn());
  assertEquals(room.enter(newcomer()), first[0]);
});

Deno.test("sockets get a turn after a bounded number pushed out, so their closes keep up", () => {
  const room = new WaitingRoom();
  const first = fill(room);
  room.turned();
  for (let i = 0; i < PUSHED_OUT_PER_TURN; i++) {
    assert(!room.needsTurn(), `a turn after ${i} pushed out`);
    assertEquals(room.enter(newcomer()), first[i]);
  }
  assert(room.needsTurn());
  room.turned();
  assert(!room.needsTurn());
});

Deno.test("a room with space never needs a turn", () => {
  const room = new WaitingRoom();
  for (let i = 0; i < MAX_WAITING - 1; i++) room.enter(newcomer());
  assert(!room.needsTurn());
});
