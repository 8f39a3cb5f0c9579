/**
 * What the tests share: typed assertions, bounded waits, servers in this
 * process and as programs, raw and scripted peers, files and random data.
 *
 * @module
 */

export * from "./assert.ts";
export * from "./fake_server.ts";
export * from "./files.ts";
export * from "./programs.ts";
export * from "./random.ts";
export * from "./raw_client.ts";
export * from "./test_server.ts";
export * from "./wait.ts";
export * from "./workers.ts";
export * from "./sessions.ts";
