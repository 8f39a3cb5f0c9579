import {
  describeProtocolFault,
  isTlsHandshake,
  isTlsRecord,
  ProtocolError,
  unexpectedLine,
} from "../../lib/wire/faults.ts";
import { ReplyReader } from "../../lib/wire/reply_reader.ts";
import { assertEquals, assertInstanceOf } from "../support/assert.ts";

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

Deno.test("a line that is no reply line says what it met, a TLS record apart", async () => {
  const alert = bytes("\x15\x03\x03\x00\x02\x02\x46");
  const handshake = bytes("\x16\x03\x01\x02\x00\x01");
  for (const record of [alert, handshake]) {
    assertEquals(isTlsRecord(record), true);
    assertEquals(unexpectedLine(record).fault.kind, "tls-record");
  }
  assertEquals(isTlsRecord(bytes("\x16\x02")), false);
  assertEquals(isTlsRecord(bytes("220 hi")), false);
  const http = unexpectedLine(bytes("HTTP/1.1 400 Bad Request"));
  assertEquals(http.fault.kind, "unexpected-line");
  assertEquals(
    http.message,
    "Unexpected line from the server: HTTP/1.1 400 Bad Request",
  );
  // The reply reader makes the same error of what a TLS server sends.
  let read = false;
  const reader = new ReplyReader({
    read(buf) {
      if (read) return Promise.resolve(null);
      read = true;
      buf.set(alert);
      return Promise.resolve(alert.length);
    },
  });
  const error = await reader.read().catch((e) => e);
  assertInstanceOf(error, ProtocolError);
  assertEquals(error.fault.kind, "tls-record");
});

Deno.test("every protocol fault is worded, quoting at most so much of what came", () => {
  const long = unexpectedLine(bytes("x".repeat(1000)));
  assertEquals(
    long.message,
    `Unexpected line from the server: ${"x".repeat(80)}`,
  );
  const cases: [Parameters<typeof describeProtocolFault>[0], string][] = [
    [{ kind: "line-too-long", limit: 9 }, "Reply line is longer than 9 bytes"],
    [{ kind: "too-many-lines", limit: 2 }, "Reply has more than 2 lines"],
    [{ kind: "too-large", limit: 5 }, "Reply is larger than 5 bytes"],
    [
      { kind: "bad-header", text: "x\x1b" },
      "Malformed download header: x\\x1b",
    ],
    [
      { kind: "unasked-reply", code: 250 },
      "Unexpected reply from the server: 250",
    ],
    [{ kind: "unasked-payload" }, "Unexpected file data from the server"],
  ];
  for (const [fault, words] of cases) {
    assertEquals(describeProtocolFault(fault), words);
  }
});

Deno.test("a plain server hears a TLS client by its handshake record alone", () => {
  assertEquals(isTlsHandshake(bytes("\x16\x03\x01")), true);
  // An alert is how a TLS server answers, never how a client begins.
  assertEquals(isTlsHandshake(bytes("\x15\x03\x03")), false);
  assertEquals(isTlsRecord(bytes("\x15\x03\x03")), true);
});
