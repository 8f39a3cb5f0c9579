/**
 * `--line-gap`: for clients that end a message with no line end, the bytes
 * after the last line end become a line once the client falls silent.
 */

import { RawClient } from "../support/raw_client.ts";
import { assertEquals } from "../support/assert.ts";
import { startServer } from "../support/test_server.ts";

Deno.test("with a line gap, messages with no line end are answered once the client is silent: echo, status, exit", async () => {
  await using server = await startServer({ timings: { lineGapMs: 50 } });
  const { client } = await RawClient.greeted(server.port);
  using _ = client;
  await client.write("hello world");
  assertEquals(await client.reply(), { code: 250, lines: ["hello worldACK"] });
  await client.write("status\r");
  assertEquals((await client.reply()).code, 211);
  await client.write("exit");
  assertEquals((await client.reply()).code, 221);
  await client.closed();
});

Deno.test("with a line gap, a message split in two writes within the gap is one message, and lines still end at line ends", async () => {
  await using server = await startServer({ timings: { lineGapMs: 2_000 } });
  const { client } = await RawClient.greeted(server.port);
  using _ = client;
  await client.write("hel");
  await client.write("lo\nsecond\n");
  assertEquals(await client.reply(), { code: 250, lines: ["helloACK"] });
  assertEquals(await client.reply(), { code: 250, lines: ["secondACK"] });
});

Deno.test("with a line gap, a message with no line end before a half-close is answered", async () => {
  await using server = await startServer({ timings: { lineGapMs: 2_000 } });
  const { client } = await RawClient.greeted(server.port);
  using _ = client;
  await client.write("last words");
  await client.conn.closeWrite();
  assertEquals(await client.reply(), { code: 250, lines: ["last wordsACK"] });
  await client.closed();
});
