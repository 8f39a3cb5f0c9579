import fc from "fast-check";
import type { Reader } from "../../lib/common/mod.ts";
import {
  MAX_REPLY_LINE_BYTES,
  MAX_REQUEST_LINE_BYTES,
  REPLY_LIMITS,
} from "../../lib/wire/limits.ts";
import { ReplyWriter } from "../../lib/wire/replies.ts";
import { ProtocolError, TruncatedPayloadError } from "../../lib/wire/faults.ts";
import { ReplyReader } from "../../lib/wire/reply_reader.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";

const encoder = new TextEncoder();

/** A source that hands out `bytes` in pieces of the given sizes. */
function chunked(bytes: Uint8Array, sizes: readonly number[] = [1 << 20]) {
  let at = 0;
  let i = 0;
  let readsPastEnd = 0;
  const source: Reader = {
    read(buf: Uint8Array) {
      if (at >= bytes.length) {
        // A reader that keeps asking past the end would spin forever.
        if (++readsPastEnd > 100) {
          throw new Error("Read again and again past the end");
        }
        return Promise.resolve(null);
      }
      const n = Math.min(
        buf.length,
        sizes[i++ % sizes.length],
        bytes.length - at,
      );
      buf.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
  return source;
}

function reader(text: string | Uint8Array, sizes?: number[], limits = {}) {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  return new ReplyReader(chunked(bytes, sizes), limits);
}

Deno.test("ReplyReader assembles one-line and multi-line replies", async () => {
  const replies = reader(
    "220 Connected as Client01\n211-a\r\n211-\n211 end\n250 250 x-ACK\n",
  );
  assertEquals(await replies.read(), {
    code: 220,
    lines: ["Connected as Client01"],
  });
  assertEquals(replies.inReply, false);
  assertEquals(await replies.read(), { code: 211, lines: ["a", "", "end"] });
  assertEquals(await replies.read(), { code: 250, lines: ["250 x-ACK"] });
  assertEquals(await replies.read(), null);
});

Deno.test("ReplyReader ends at the end of the stream, also mid-reply", async () => {
  const replies = reader("211-a\n211-b\n");
  assertEquals(await replies.read(), null);
  assertEquals(replies.inReply, true);
  // The end is final: asking again is a mistake, not a reason to spin.
  await assertRejects(() => replies.read(), Error, "already ended");
});

Deno.test("ReplyReader refuses what is not a reply line", async (t) => {
  const cases: [string, string][] = [
    ["a foreign greeting", "HTTP/1.1 400 Bad Request\r\n"],
    ["no separator", "250\n"],
    ["a bad separator", "250:x\n"],
    ["two digits", "25 x\n"],
    ["a letter in the code", "2x0 x\n"],
    ["a code starting with 0", "050 x\n"],
    ["a code that changes mid-reply", "211-a\n212 b\n"],
  ];
  for (const [label, text] of cases) {
    await t.step(label, async () => {
      await assertRejects(
        () => reader(text).read(),
        ProtocolError,
        "Unexpected line from the server: ",
      );
    });
  }
  await t.step("control characters are shown escaped", async () => {
    await assertRejects(
      () => reader("\u001b[2Jx\n").read(),
      ProtocolError,
      "Unexpected line from the server: \\x1b[2Jx",
    );
  });
});

Deno.test("ReplyReader's default limits are the ones PROTOCOL.md gives", () => {
  assertEquals(REPLY_LIMITS, {
    maxLineBytes: 4_194_311,
    maxLines: 2_000_002,
    maxReplyBytes: 512 * 1024 * 1024,
  });
  assertEquals(MAX_REPLY_LINE_BYTES, MAX_REQUEST_LINE_BYTES + 7);
});

Deno.test("ReplyReader by default takes the longest status a server may send, not one line more", async () => {
  const body = "211-x\n".repeat(2_000_001);
  const ok = reader(body + "211 x\n", [1 << 20]);
  assertEquals((await ok.read())?.lines.length, 2_000_002);
  await assertRejects(
    () => reader(body + "211-x\n211 x\n", [1 << 20]).read(),
    ProtocolError,
    "Reply has more than 2000002 lines",
  );
});

Deno.test("ReplyReader enforces its limits on lines, line count and bytes", async () => {
  await assertRejects(
    () => reader(`250 ${"x".repeat(100)}`, [7], { maxLineBytes: 50 }).read(),
    ProtocolError,
    "Reply line is longer than 50 bytes",
  );
  await assertRejects(
    () =>
      reader(`250 ${"x".repeat(100)}\n`, [1000], { maxLineBytes: 50 }).read(),
    ProtocolError,
    "Reply line is longer than 50 bytes",
  );
  await assertRejects(
    () => reader("211-a\n".repeat(4) + "211 b\n", [3], { maxLines: 4 }).read(),
    ProtocolError,
    "Reply has more than 4 lines",
  );
  // Five lines of six bytes: thirty bytes, one too many.
  await assertRejects(
    () =>
      reader("211-a\n".repeat(4) + "211 b\n", [100], { maxReplyBytes: 29 })
        .read(),
    ProtocolError,
    "Reply is larger than 29 bytes",
  );
  // The limits hold per reply: two replies at the limit are fine.
  const two = reader("211-a\n211 b\n211-a\n211 b\n", [100], {
    maxLines: 2,
    maxReplyBytes: 12,
  });
  assertEquals(await two.read(), { code: 211, lines: ["a", "b"] });
  assertEquals(await two.read(), { code: 211, lines: ["a", "b"] });
});

Deno.test("ReplyReader hands over a download's raw bytes, whatever they hold", async () => {
  const payload = encoder.encode("150 1\n211-x\n\n226 y");
  const out = new ReplyWriter();
  out.fileHeader(payload.length, "a b.bin");
  const stream = new Uint8Array([
    ...out.bytes(),
    ...payload,
    ...encoder.encode(`226 SHA-256 ${"0".repeat(64)}\n250 afterACK\n`),
  ]);
  for (const size of [1, 5, 13, 1000]) {
    const replies = reader(stream, [size]);
    assertEquals(await replies.read(), {
      code: 150,
      lines: [`${payload.length} a b.bin`],
    });
    assertEquals(replies.payload, {
      size: payload.length,
      name: "a b.bin",
      version: null,
      offset: 0,
    });
    await assertRejects(() => replies.read(), Error, "still unread");
    const got: number[] = [];
    await replies.readPayload((chunk) => {
      got.push(...chunk);
    });
    assertEquals(new Uint8Array(got), payload, `chunks of ${size}`);
    assertEquals(replies.payload, null);
    assertEquals((await replies.read())?.code, 226);
    assertEquals(await replies.read(), { code: 250, lines: ["afterACK"] });
  }
});

Deno.test("ReplyReader handles an empty download and refuses a bad header", async () => {
  const replies = reader(`150 0 e\n226 SHA-256 ${"0".repeat(64)}\n`);
  assertEquals((await replies.read())?.code, 150);
  let chunks = 0;
  await replies.readPayload(() => {
    chunks++;
  });
  assertEquals(chunks, 0);
  assertEquals((await replies.read())?.code, 226);
  for (const header of ["150 x y\n", "150 12\n", "150 -1 y\n"]) {
    await assertRejects(
      () => reader(header).read(),
      ProtocolError,
      "Malformed download header",
    );
  }
  await assertRejects(
    () => reader("250 x\n").readPayload(() => {}),
    Error,
    "No download is announced",
  );
});

Deno.test("ReplyReader says how much of a download never came", async () => {
  const replies = reader("150 10 f\n0123");
  await replies.read();
  const error = await assertRejects(
    () => replies.readPayload(() => {}),
    TruncatedPayloadError,
    "Server closed the connection during the download of f: 4 B of 10 B arrived",
  );
  assertEquals([error.missing, error.size], [6, 10]);
});

Deno.test("nextLine walks reply lines without decoding them", async () => {
  const replies = reader("250 aACK\n211-x\n211 y\n");
  await replies.fill();
  const seen: [number, boolean][] = [];
  while (replies.nextLine()) seen.push([replies.code, replies.last]);
  assertEquals(seen, [[250, true], [211, false], [211, true]]);
  assertEquals(replies.nextLine(), false);
  assertEquals(await replies.fill(), false);
});

Deno.test("ReplyReader reads back whatever the server writes, however it is cut (property)", async () => {
  const line = fc.string({ maxLength: 30 }).map((text) =>
    text.replace(/[\r\n]/g, " ")
  );
  const reply = fc.oneof(
    line.map((text) => ({ code: 250, lines: [text + "ACK"] })),
    fc.tuple(fc.array(line, { maxLength: 5 }), line).map(([rows, last]) => ({
      code: 211,
      lines: [...rows, last],
    })),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(reply, { maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
      async (replies, sizes) => {
        const out = new ReplyWriter();
        for (const { code, lines } of replies) {
          if (code === 250) {
            const bytes = encoder.encode(lines[0].slice(0, -3));
            out.echo(bytes, 0, bytes.length);
          } else out.lines(211, lines.slice(0, -1), lines.at(-1)!);
        }
        const read = reader(out.bytes().slice(), sizes);
        const got = [];
        for (let r = await read.read(); r !== null; r = await read.read()) {
          got.push(r);
        }
        assertEquals(got, replies);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("ReplyReader fails at once on a start no reply line has, without waiting for its end", async () => {
  for (const start of ["Welcome", "2", "25", "250", "250 "]) {
    let reads = 0;
    // Sends `start`, then nothing ever again, as a foreign server may.
    const source: Reader = {
      read(buf) {
        if (reads++ > 0) return new Promise(() => {});
        buf.set(encoder.encode(start));
        return Promise.resolve(start.length);
      },
    };
    const replies = new ReplyReader(source);
    if (start === "Welcome") {
      await assertRejects(
        () => replies.read(),
        ProtocolError,
        "Unexpected line from the server: Welcome",
      );
    } else {
      // A good start: the reader waits for more.
      await replies.fill();
      assertEquals(replies.nextLine(), false);
    }
  }
  for (const bad of ["0", "2x", "25x", "250x", "a50 "]) {
    const replies = new ReplyReader(chunked(encoder.encode(bad)));
    await assertRejects(() => replies.read(), ProtocolError, bad);
  }
});
