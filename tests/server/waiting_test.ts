import { MAX_WAITING, TIMINGS } from "../../lib/server/config.ts";
import type { ClientConnection } from "../../lib/server/connection.ts";
import { WaitingRoom } from "../../lib/server/waiting.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";

const graceMs = TIMINGS.silentGraceMs;

let made = 0;

// The room looks at a newcomer only as a key and at whether it is stopping;
// the number tells them apart in a failed assertion.
function newcomer(): ClientConnection {
  return { stopReason: null, number: made++ } as unknown as ClientConnection;
}

/** A full room, and the ones in it, first come first. */
function fullRoom(clock: ManualClock) {
  const room = new WaitingRoom({ clock, graceMs });
  const inside = Array.from({ length: MAX_WAITING }, newcomer);
  for (const one of inside) {
    assert(!room.needsTurn());
    assertEquals(room.enter(one), undefined);
  }
  return { room, inside };
}

Deno.test("a full room takes one more only after sockets had a turn since the last came in", () => {
  const { room } = fullRoom(new ManualClock());
  // What the last sent may be there unread: accepts run ahead of reads.
  assert(room.needsTurn());
  room.turned();
  assert(!room.needsTurn());
  room.enter(newcomer());
  assert(room.needsTurn());
});

Deno.test("one more pushes out the one waiting longest once its grace is over", async () => {
  const clock = new ManualClock();
  const { room, inside } = fullRoom(clock);
  room.turned();
  await clock.advance(graceMs);
  assertEquals(room.enter(newcomer()), inside[0]);
  room.turned();
  assertEquals(room.enter(newcomer()), inside[1]);
});

Deno.test("within their grace, those come in as many turns ago as the room holds go, the latest first; else the one coming in, from the door", async () => {
  const clock = new ManualClock();
  const { room, inside } = fullRoom(clock);
  await clock.advance(graceMs - 1);
  room.turned();
  // Newcomers that do not speak at the door are turned away, each decision
  // a turn, until the first ones have had as many turns as the room holds.
  for (let turns = 1; turns < MAX_WAITING; turns++) {
    const late = newcomer();
    assertEquals(room.enter(late), undefined);
    assertEquals(room.door, late);
    assertEquals(room.openDoor(late, false), late, `after ${turns} turns`);
    assertEquals(room.door, undefined);
  }
  const next = newcomer();
  assertEquals(room.enter(next), inside.at(-1));
  room.turned();
  assertEquals(room.enter(newcomer()), inside.at(-2));
});

Deno.test("one at the door that spoke takes the place of the silent one waiting longest", () => {
  const { room, inside } = fullRoom(new ManualClock());
  room.spoke(inside[0]);
  room.turned();
  const late = newcomer();
  assertEquals(room.enter(late), undefined);
  assertEquals(room.openDoor(late, true), inside[1]);
  assertEquals([...room].at(-1), late);
  assertEquals([...room].length, MAX_WAITING);
});

Deno.test("one at the door stays when the room made space meanwhile, or it has a slot", () => {
  const clock = new ManualClock();
  for (const meanwhile of ["space", "slot"]) {
    const { room, inside } = fullRoom(clock);
    room.turned();
    const late = newcomer();
    room.enter(late);
    if (meanwhile === "space") room.leave(inside[3]);
    else assertEquals(room.grant(late), late);
    assertEquals(room.openDoor(late, false), undefined, meanwhile);
    assertEquals([...room].at(-1), late, meanwhile);
  }
});

Deno.test("while one is at the door, one more is turned away at once", () => {
  const { room } = fullRoom(new ManualClock());
  room.turned();
  const first = newcomer();
  room.enter(first);
  const second = newcomer();
  assertEquals(room.enter(second), second);
  assertEquals(room.door, first);
});

Deno.test("one at the door that left frees the door, and is not decided on", () => {
  const { room, inside } = fullRoom(new ManualClock());
  room.turned();
  const late = newcomer();
  room.enter(late);
  room.leave(late);
  assertEquals(room.door, undefined);
  // The next at the door waits for its own decision.
  const next = newcomer();
  assertEquals(room.enter(next), undefined);
  assertEquals(room.openDoor(late, true), undefined);
  assertEquals(room.door, next);
  assertEquals([...room], [...inside, next]);
});

Deno.test("one that spoke is pushed out only when every one has, the one waiting longest", () => {
  const { room, inside } = fullRoom(new ManualClock());
  for (const one of inside.toReversed()) room.spoke(one);
  room.turned();
  assertEquals(room.enter(newcomer()), inside[0]);
});

Deno.test("a room with space never needs a turn", () => {
  const room = new WaitingRoom({ clock: new ManualClock(), graceMs });
  for (let i = 0; i < MAX_WAITING - 1; i++) room.enter(newcomer());
  assert(!room.needsTurn());
});
