import { Token } from "../../lib/server/access.ts";
import {
  TIMINGS,
  TOKEN_JUDGMENT_BURST,
  TOKEN_JUDGMENTS_PER_SECOND,
} from "../../lib/server/config.ts";
import { TokenGuard, type Verdict } from "../../lib/server/token_guard.ts";
import { assertEquals } from "../support/assert.ts";
import { ManualClock } from "../support/clock.ts";

const TOKEN = "guard-test-token-0123456789";
const WRONG = "not-the-token-0123456789";
const never = new AbortController().signal;

function guard(clock: ManualClock): TokenGuard {
  return new TokenGuard(new Token(TOKEN), clock, TIMINGS);
}

/** Starts a judgment and records its verdict as it comes. */
function judging(
  tokens: TokenGuard,
  source: string,
  candidate: string,
  signal = never,
) {
  const state: { verdict: Verdict | null | undefined } = {
    verdict: undefined,
  };
  const done = tokens.judge(source, candidate, signal).then((verdict) => {
    state.verdict = verdict;
  });
  return { state, done };
}

Deno.test("each wrong token costs its address twice as much, up to the most", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs, tokenPenaltyMaxMs } = TIMINGS;
  let wait = 0;
  for (let failures = 1; failures <= 8; failures++) {
    if (wait > 0) {
      // Not judged a moment before the penalty is over.
      await clock.advance(wait - 1);
      assertEquals(await tokens.judge("10.0.0.1", TOKEN, never), {
        kind: "later",
        waitMs: 1,
      });
      await clock.advance(1);
    }
    const expected = Math.min(
      tokenPenaltyMs * 2 ** (failures - 1),
      tokenPenaltyMaxMs,
    );
    assertEquals(await tokens.judge("10.0.0.1", WRONG, never), {
      kind: "wrong",
      nextWaitMs: expected,
    });
    wait = expected;
  }
  // Another address is not held back by it.
  assertEquals(await tokens.judge("10.0.0.2", TOKEN, never), {
    kind: "right",
  });
});

Deno.test("a right token once the penalty is over clears it", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs } = TIMINGS;
  await tokens.judge("10.0.0.1", WRONG, never);
  await clock.advance(tokenPenaltyMs);
  assertEquals(await tokens.judge("10.0.0.1", TOKEN, never), {
    kind: "right",
  });
  // Cleared: the next wrong one costs the first penalty again.
  assertEquals(await tokens.judge("10.0.0.1", WRONG, never), {
    kind: "wrong",
    nextWaitMs: tokenPenaltyMs,
  });
});

Deno.test("the whole server judges no more than its budget, however many addresses ask", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const judgments = Array.from(
    { length: TOKEN_JUDGMENT_BURST + 3 },
    (_, i) => judging(tokens, `10.0.0.${i + 1}`, WRONG),
  );
  const judged = () =>
    judgments.filter(({ state }) => state.verdict !== undefined).length;
  await Promise.all(
    judgments.slice(0, TOKEN_JUDGMENT_BURST).map((j) => j.done),
  );
  assertEquals(judged(), TOKEN_JUDGMENT_BURST);
  // Then three a second: one each third of a second.
  await clock.advance(999);
  assertEquals(judged(), TOKEN_JUDGMENT_BURST + 2);
  await clock.advance(1);
  await Promise.all(judgments.map((j) => j.done));
  assertEquals(judged(), TOKEN_JUDGMENT_BURST + 3);
});

Deno.test("tokens from one address waiting in the budget are not judged once one of them was wrong", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  // Others spend the burst; two connections from one address wait.
  for (let i = 0; i < TOKEN_JUDGMENT_BURST; i++) {
    await tokens.judge(`10.0.1.${i}`, TOKEN, never);
  }
  const first = judging(tokens, "10.0.0.1", WRONG);
  const second = judging(tokens, "10.0.0.1", TOKEN);
  await clock.advance(1000);
  await Promise.all([first.done, second.done]);
  assertEquals(first.state.verdict?.kind, "wrong");
  assertEquals(second.state.verdict?.kind, "later");
});

Deno.test("a stopped connection's judgment ends at once, unjudged", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  for (let i = 0; i < TOKEN_JUDGMENT_BURST; i++) {
    await tokens.judge(`10.0.1.${i}`, TOKEN, never);
  }
  const stop = new AbortController();
  const { state, done } = judging(tokens, "10.0.0.1", TOKEN, stop.signal);
  await clock.waitForTimer(1000 / TOKEN_JUDGMENTS_PER_SECOND);
  stop.abort();
  await done;
  assertEquals(state.verdict, null);
});

Deno.test("an address's wrong tokens are forgotten once it is quiet for the memory time", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs, tokenMemoryMs } = TIMINGS;
  await tokens.judge("10.0.0.1", WRONG, never);
  await clock.advance(tokenMemoryMs);
  // Another address's judgment sweeps it out: the first penalty again.
  await tokens.judge("10.0.0.2", WRONG, never);
  assertEquals(await tokens.judge("10.0.0.1", WRONG, never), {
    kind: "wrong",
    nextWaitMs: tokenPenaltyMs,
  });
});

Deno.test("within the budget, an address with no wrong token goes before those with some", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const addresses = (from: number) =>
    Array.from(
      { length: TOKEN_JUDGMENT_BURST },
      (_, i) => `10.0.0.${from + i}`,
    );
  const guessers = addresses(1);
  await Promise.all(guessers.map((a) => tokens.judge(a, WRONG, never)));
  // Once their penalty is over, others spend the budget, and the guessers
  // queue for it again.
  await clock.advance(TIMINGS.tokenPenaltyMs);
  await Promise.all(addresses(11).map((a) => tokens.judge(a, WRONG, never)));
  const again = guessers.map((a) => judging(tokens, a, WRONG));
  const honest = judging(tokens, "10.0.1.1", TOKEN);
  // The next place in the budget is the honest client's.
  const interval = 1000 / TOKEN_JUDGMENTS_PER_SECOND;
  await clock.waitForTimer(interval);
  await clock.advance(Math.ceil(interval));
  await honest.done;
  assertEquals(honest.state.verdict, { kind: "right" });
  assertEquals(again.filter((g) => g.state.verdict !== undefined).length, 0);
  await clock.advance(1000);
  await Promise.all(again.map((g) => g.done));
});
