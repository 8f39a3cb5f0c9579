/**
 * The ackline client: connects, sends lines, reads replies, downloads files.
 *
 * @example Usage
 * ```ts ignore
 * import { connect } from "./client.ts";
 *
 * const session = await connect({ port: 12345 });
 * const reply = await session.request("hello world");
 * console.log(reply.lines[0]); // hello worldACK
 * await session.close();
 * ```
 *
 * @module
 */

import { colors, runProgram, SYSTEM_CLOCK } from "./lib/common/mod.ts";
import {
  checkSaving,
  connect,
  connectError,
  consoleOutput,
  HELP,
  parseCommandLine,
  readSecrets,
  readTypedLine,
  runClient,
  runLocal,
  runPlainClient,
  type Session,
  tokenInClear,
} from "./lib/client/mod.ts";

export {
  AGENT,
  connect,
  ConnectionClosedError,
  type ConnectOptions,
  DEFAULTS,
  type DownloadOptions,
  type DownloadResult,
  ReplyError,
  Session,
  TokenRefusedError,
} from "./lib/client/mod.ts";
export type { Reply } from "./lib/wire/mod.ts";

async function main(args: string[]): Promise<number> {
  const command = parseCommandLine(args);
  if (command === null) {
    console.log(HELP);
    return 0;
  }
  colors.setColorEnabled(Deno.stdout.isTerminal());
  const warn = (text: string) => consoleOutput.error(colors.yellow(text));
  if (command.plain) {
    return await runPlainClient(
      command,
      await readSecrets(command, warn),
      SYSTEM_CLOCK,
    );
  }
  await checkSaving(command);
  const typed = command.oneShot === null
    ? null
    : readTypedLine(command.oneShot);
  if (typed?.kind === "local") {
    // The client's own command: no server is needed for it.
    runLocal(typed.name, consoleOutput);
    consoleOutput.flush();
    return 0;
  }
  const config = await readSecrets(command, warn);
  const clock = SYSTEM_CLOCK;
  const where = `${config.hostname}:${config.port}`;
  let warned = false;
  const connectOptions = {
    ...config,
    clock,
    onTokenInClear() {
      if (!warned) warn(tokenInClear(where));
      warned = true;
    },
  };
  let session: Session;
  try {
    session = await connect(connectOptions);
  } catch (error) {
    throw connectError(error, where, command.args);
  }
  return await runClient(session, { command, connectOptions, clock });
}

if (import.meta.main) {
  await runProgram(() => main(Deno.args));
}
