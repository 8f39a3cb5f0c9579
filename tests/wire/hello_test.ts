import {
  isToken,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_BITS,
  MIN_TOKEN_LENGTH,
  tokenBits,
} from "../../lib/wire/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("a token's variety: its length times the bits of its characters", () => {
  assertEquals(tokenBits("0123456789abcdef"), 64);
  assertEquals(tokenBits("aaaaaaaaaaaaaaaaaaaa"), 0);
  // Repeats count once: a run of four seen before adds nothing.
  assertEquals(tokenBits("abababababababab"), 5);
  assert(tokenBits("weakweakweak0042") < MIN_TOKEN_BITS);
});

Deno.test("a token is printable, 24 to 1,024 characters, and varied enough", () => {
  // As openssl rand -hex 16 makes one; two thirds of it is too short.
  const hex = "3f9a0c17be42d8e5c0ffee1234567890";
  assert(isToken(hex));
  assert(isToken(hex.slice(0, MIN_TOKEN_LENGTH)));
  assert(!isToken(hex.slice(0, MIN_TOKEN_LENGTH - 1)));
  assert(isToken("0123456789abcdef".repeat(MAX_TOKEN_LENGTH / 16)));
  assert(!isToken("0123456789abcdef".repeat(MAX_TOKEN_LENGTH / 16) + "0"));
  // The bounds PROTOCOL.md promises, as numbers.
  assertEquals([MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH], [24, 1024]);
  assert(!isToken("0123456789abcdef".slice(0, MIN_TOKEN_LENGTH - 1)));
  assert(!isToken("weakweakweak0042"));
  assert(!isToken("weakweakweak0042".repeat(2)));
  assert(!isToken("ab".repeat(32)));
  assert(!isToken("0123456789 abcdef01234567"));
  assert(!isToken("0123456789abcdé0123456789"));
});
