import {
  crossesNetworkInClear,
  TokenRefusedError,
} from "../../lib/client/connect.ts";
import {
  certificateNames,
  connectFailure,
  tlsProblem,
} from "../../lib/client/failures.ts";
import { ConnectionClosedError, ReplyError } from "../../lib/client/errors.ts";
import { connectError, tokenInClear } from "../../lib/client/start.ts";
import { ProtocolError } from "../../lib/wire/faults.ts";
import { assertEquals } from "../support/assert.ts";

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const closedBy = (cause: unknown) =>
  new ConnectionClosedError("whatever it says", { cause });

Deno.test("a failure to connect is classified by its kind and cause", () => {
  assertEquals(
    connectFailure(new Deno.errors.ConnectionRefused("x")),
    { kind: "refused" },
  );
  const alert = bytes("\x15\x03\x03\x00\x02\x02\x46");
  assertEquals(
    connectFailure(closedBy(
      new ProtocolError({ kind: "tls-record", bytes: alert }),
    )),
    { kind: "speaks-tls" },
  );
  const http = bytes("HTTP/1.1 400 Bad Request");
  assertEquals(
    connectFailure(closedBy(
      new ProtocolError({ kind: "unexpected-line", bytes: http }),
    )),
    { kind: "foreign", bytes: http },
  );
  const refusal = new TokenRefusedError("wanted", "Client02");
  assertEquals(connectFailure(refusal), { kind: "token", refusal });
  assertEquals(
    connectFailure(new ReplyError({ code: 421, lines: ["Server is full"] })),
    { kind: "turned-away", words: "Server is full" },
  );
  // A connection that closed for another reason says so in its words.
  assertEquals(
    connectFailure(new ConnectionClosedError("Server closed the connection")),
    { kind: "turned-away", words: "Server closed the connection" },
  );
  assertEquals(
    connectFailure(new Deno.errors.TimedOut("timed out")),
    { kind: "network", words: "timed out" },
  );
  // A bug is no failure to connect.
  assertEquals(connectFailure(new TypeError("oops")), null);
});

Deno.test("a failed TLS handshake is told apart by the TLS library's error name", () => {
  const cases: [string, ReturnType<typeof tlsProblem>][] = [
    ["received corrupt message of type InvalidContentType", "plain-text"],
    ["invalid peer certificate: UnknownIssuer", "unknown-authority"],
    ["invalid peer certificate: BadSignature", "unknown-authority"],
    ["invalid peer certificate: CaUsedAsEndEntity", "authority-as-server"],
    ["invalid peer certificate: NotValidForName", "wrong-name"],
    ["handshake failure", "other"],
  ];
  for (const [message, problem] of cases) {
    assertEquals(tlsProblem(new Deno.errors.InvalidData(message)), problem);
  }
  assertEquals(
    connectFailure(new Deno.errors.InvalidData("x: UnknownIssuer")),
    {
      kind: "tls",
      problem: "unknown-authority",
      detail: "x: UnknownIssuer",
      names: [],
    },
  );
});

Deno.test("a certificate not valid for the name connected to says which names it is for", () => {
  // The runtime's words, as Deno 2.9 gives them.
  const detail =
    'invalid peer certificate: certificate not valid for name "localhost"; certificate is only valid for DnsName("ackline.example") or IpAddress(127.0.0.1)';
  const failure = connectFailure(new Deno.errors.InvalidData(detail));
  assertEquals(failure, {
    kind: "tls",
    problem: "wrong-name",
    detail,
    names: ["ackline.example", "127.0.0.1"],
  });
  assertEquals(
    (connectError(
      new Deno.errors.InvalidData(detail),
      "localhost:12345",
    ) as Error).message,
    "Cannot connect to localhost:12345 over TLS: its certificate is for ackline.example, 127.0.0.1, not that name; connect with --host ackline.example",
  );
  assertEquals(
    certificateNames(new Deno.errors.InvalidData("NotValidForName")),
    [],
  );
});

Deno.test("a token refused says so in words of its kind", () => {
  assertEquals(
    new TokenRefusedError("wanted", "Client02").message,
    "Client02: the server wants a token; set ACKLINE_TOKEN or use --token-file",
  );
  assertEquals(
    new TokenRefusedError("wrong", "Client02").message,
    "The server did not take the token",
  );
  assertEquals(
    new TokenRefusedError("wrong", "Client02", "Wrong token; 2 more\x1btries")
      .message,
    "The server did not take the token: Wrong token; 2 more\\x1btries",
  );
});

Deno.test("a token crosses a network in clear only without TLS, beyond this machine", () => {
  assertEquals(
    crossesNetworkInClear({ hostname: "127.0.0.1", tls: null }),
    false,
  );
  assertEquals(
    crossesNetworkInClear({ hostname: "localhost", tls: null }),
    false,
  );
  assertEquals(
    crossesNetworkInClear({ hostname: "192.168.1.10", tls: null }),
    true,
  );
  assertEquals(
    crossesNetworkInClear({ hostname: "192.168.1.10", tls: {} }),
    false,
  );
  assertEquals(
    tokenInClear("192.168.1.10:12345"),
    "The token goes to 192.168.1.10:12345 without TLS: others on the network may read it (connect with --tls)",
  );
});
