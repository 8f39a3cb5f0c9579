import {
  type AccessPolicy,
  describeAccess,
  isProtected,
  refusesPeer,
  Token,
} from "../../lib/server/access.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("protected mode: beyond loopback with no token, only this machine's peers are served", () => {
  const policy = (over: Partial<AccessPolicy>): AccessPolicy => ({
    hostname: "0.0.0.0",
    token: false,
    open: false,
    tls: false,
    ...over,
  });
  const cases: [Partial<AccessPolicy>, string, boolean][] = [
    // listening on, peer: refused?
    [{}, "10.0.0.5", true],
    [{}, "127.0.0.1", false],
    [{}, "::ffff:127.0.0.1", false],
    [{ hostname: "::" }, "2001:db8::1", true],
    [{ token: true }, "10.0.0.5", false],
    [{ open: true }, "10.0.0.5", false],
    [{ hostname: "127.0.0.1" }, "10.0.0.5", false], // cannot arrive anyway
  ];
  for (const [over, peer, refused] of cases) {
    assertEquals(
      refusesPeer(policy(over), peer),
      refused,
      `${JSON.stringify(over)} ${peer}`,
    );
  }
  assert(isProtected(policy({})));
  assert(!isProtected(policy({ hostname: "localhost" })));
  assertEquals(
    describeAccess(policy({ hostname: "127.0.0.1" }), "127.0.0.1:1"),
    "Access: this machine only (loopback); no token, no TLS",
  );
  assertEquals(
    describeAccess(policy({}), "0.0.0.0:1"),
    "Access: protected mode, only this machine's clients are served (no token; use ACKLINE_TOKEN or --token-file, or --open); no token, no TLS",
  );
  assertEquals(
    describeAccess(policy({ token: true, tls: true }), "0.0.0.0:1"),
    "Access: anyone who can reach 0.0.0.0:1; token required, TLS",
  );
});

Deno.test("a token matches itself only", () => {
  const token = new Token("0123456789abcdef");
  assert(token.matches("0123456789abcdef"));
  for (
    const other of [
      "0123456789abcdeF",
      "0123456789abcde",
      "",
      "0123456789abcdef0",
    ]
  ) {
    assert(!token.matches(other), other);
  }
});
