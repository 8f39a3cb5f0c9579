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

function guard(clock: ManualClock): TokenGuard {
  return new TokenGuard(new Token(TOKEN), clock, TIMINGS);
}

/** Starts a judgment and records its verdict as it comes. */
function judging(
  tokens: TokenGuard,
  source: string,
  candidate: string,
  signal = new AbortController().signal,
) {
  const state: { verdict: Verdict | null | undefined } = {
    verdict: undefined,
  };
  const done = tokens.judge(source, candidate, signal).then((verdict) => {
    state.verdict = verdict;
  });
  return { state, done };
}

Deno.test("each wrong token costs its source's next try twice as much, up to the most", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs, tokenPenaltyMaxMs } = TIMINGS;
  const signal = new AbortController().signal;
  let wait = 0;
  for (let failures = 1; failures <= 8; failures++) {
    const { state, done } = judging(tokens, "10.0.0.1", WRONG);
    if (wait > 0) {
      await clock.waitForTimer(wait);
      await clock.advance(wait - 1);
      assertEquals(state.verdict, undefined, `judged early at try ${failures}`);
      await clock.advance(1);
    }
    await done;
    const expected = Math.min(
      tokenPenaltyMs * 2 ** (failures - 1),
      tokenPenaltyMaxMs,
    );
    assertEquals(state.verdict, { right: false, nextWaitMs: expected });
    wait = expected;
  }
  // Another source is not held back by it.
  assertEquals(await tokens.judge("10.0.0.2", TOKEN, signal), {
    right: true,
    nextWaitMs: 0,
  });
});

Deno.test("a right token waits out its source's penalty like a wrong one, and clears it", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs } = TIMINGS;
  const signal = new AbortController().signal;
  await tokens.judge("10.0.0.1", WRONG, signal);
  const { state, done } = judging(tokens, "10.0.0.1", TOKEN);
  await clock.waitForTimer(tokenPenaltyMs);
  assertEquals(state.verdict, undefined);
  await clock.advance(tokenPenaltyMs);
  await done;
  assertEquals(state.verdict, { right: true, nextWaitMs: 0 });
  // Cleared: the next wrong one costs the first penalty again.
  assertEquals(await tokens.judge("10.0.0.1", WRONG, signal), {
    right: false,
    nextWaitMs: tokenPenaltyMs,
  });
});

Deno.test("the whole server judges no more than its budget, however many sources ask", async () => {
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

Deno.test("judgments from one source wait for each other", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs } = TIMINGS;
  // Two connections from one address guess at once: the second is judged
  // only after the first's penalty.
  const first = judging(tokens, "10.0.0.1", WRONG);
  const second = judging(tokens, "10.0.0.1", TOKEN);
  await first.done;
  assertEquals(first.state.verdict?.right, false);
  await clock.waitForTimer(tokenPenaltyMs);
  assertEquals(second.state.verdict, undefined);
  await clock.advance(tokenPenaltyMs);
  await second.done;
  assertEquals(second.state.verdict?.right, true);
});

Deno.test("a stopped connection's judgment ends at once, unjudged", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  await tokens.judge("10.0.0.1", WRONG, new AbortController().signal);
  const stop = new AbortController();
  const { state, done } = judging(tokens, "10.0.0.1", TOKEN, stop.signal);
  await clock.waitForTimer(TIMINGS.tokenPenaltyMs);
  stop.abort();
  await done;
  assertEquals(state.verdict, null);
  assertEquals(clock.pending, 0);
});

Deno.test("a source's wrong tokens are forgotten once it is quiet for the memory time", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const { tokenPenaltyMs, tokenMemoryMs } = TIMINGS;
  const signal = new AbortController().signal;
  await tokens.judge("10.0.0.1", WRONG, signal);
  await clock.advance(tokenMemoryMs);
  // Another source's judgment sweeps it out: the first penalty again.
  await tokens.judge("10.0.0.2", WRONG, signal);
  assertEquals(await tokens.judge("10.0.0.1", WRONG, signal), {
    right: false,
    nextWaitMs: tokenPenaltyMs,
  });
});

Deno.test("within the budget, an address with no wrong token goes before those with some", async () => {
  const clock = new ManualClock();
  const tokens = guard(clock);
  const signal = new AbortController().signal;
  const addresses = (from: number) =>
    Array.from(
      { length: TOKEN_JUDGMENT_BURST },
      (_, i) => `10.0.0.${from + i}`,
    );
  const guessers = addresses(1);
  await Promise.all(guessers.map((a) => tokens.judge(a, WRONG, signal)));
  // Once their penalty is over, others spend the budget, and the guessers
  // queue for it again.
  await clock.advance(TIMINGS.tokenPenaltyMs);
  await Promise.all(addresses(11).map((a) => tokens.judge(a, WRONG, signal)));
  const again = guessers.map((a) => judging(tokens, a, WRONG));
  const honest = judging(tokens, "10.0.1.1", TOKEN);
  // The next place in the budget is the honest client's.
  const interval = 1000 / TOKEN_JUDGMENTS_PER_SECOND;
  await clock.waitForTimer(interval);
  await clock.advance(Math.ceil(interval));
  await honest.done;
  assertEquals(honest.state.verdict?.right, true);
  assertEquals(again.filter((g) => g.state.verdict !== undefined).length, 0);
  await clock.advance(1000);
  await Promise.all(again.map((g) => g.done));
});
