import { endOf, endWords, stopWords } from "../../lib/server/ends.ts";
import { type CloseReason, LineTooLongError } from "../../lib/wire/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("each way a session ends has its words for the log", () => {
  const cases: [Parameters<typeof endWords>[0], string][] = [
    [{ kind: "exit" }, "left with exit"],
    [{ kind: "closed" }, "closed by the client"],
    [{ kind: "gone" }, "the client went away"],
    [{ kind: "reset" }, "reset by the client"],
    [{ kind: "line-too-long" }, "line too long"],
    [{ kind: "spoke-tls" }, "spoke TLS to this plain-text server"],
    [
      { kind: "tls-failed", detail: "bad\x1b[2J" },
      "TLS handshake failed: bad\\x1b[2J",
    ],
    [{ kind: "stopped", reason: { kind: "shutdown" } }, "server shutting down"],
    [{ kind: "failed", error: new Error("boom") }, "error: Error: boom"],
  ];
  for (const [end, words] of cases) assertEquals(endWords(end), words);
});

Deno.test("each reason the server closes a connection has its words for the log", () => {
  const cases: [CloseReason, string][] = [
    [{ kind: "shutdown" }, "server shutting down"],
    [{ kind: "idle", timeoutMs: 300 }, "idle for 0.3 s"],
    [{ kind: "full", maxClients: 3 }, "server full"],
    [{ kind: "evicted" }, "made room: no request while the server was full"],
    [
      { kind: "yielded", idleMs: 30_000 },
      "made room: idle 30 s while the server was full",
    ],
    [{ kind: "stalled", stallMs: 60_000 }, "took no reply bytes for 60 s"],
    [{ kind: "wrong-tokens", tries: 3 }, "wrong token 3 times"],
    [{ kind: "protected" }, "protected mode: not from this machine"],
  ];
  for (const [reason, words] of cases) assertEquals(stopWords(reason), words);
});

Deno.test("an error makes the end of its kind, never by its message", () => {
  const shutdown: CloseReason = { kind: "shutdown" };
  const abort = new DOMException("stop", "AbortError");
  assertEquals(endOf(new LineTooLongError(10), null, false), {
    kind: "line-too-long",
  });
  assertEquals(endOf(new Deno.errors.InvalidData("no TLS"), null, false), {
    kind: "tls-failed",
    detail: "no TLS",
  });
  // Cut by the server's own stop: a closed socket, or a transfer given up.
  assertEquals(endOf(new Deno.errors.BadResource("x"), shutdown, true), {
    kind: "stopped",
    reason: shutdown,
  });
  assertEquals(endOf(abort, shutdown, false), {
    kind: "stopped",
    reason: shutdown,
  });
  assertEquals(endOf(abort, null, false).kind, "failed");
  assertEquals(endOf(new Deno.errors.ConnectionReset("x"), null, false), {
    kind: "reset",
  });
  for (
    const error of [
      new Deno.errors.BrokenPipe("x"),
      new Deno.errors.ConnectionAborted("x"),
      new Deno.errors.UnexpectedEof("x"),
      new Deno.errors.NotConnected("x"),
    ]
  ) {
    assertEquals(endOf(error, null, false), { kind: "gone" });
  }
  const odd = new Error("the client went away"); // words are no kind
  assertEquals(endOf(odd, null, false), { kind: "failed", error: odd });
});
