/**
 * What the client does before it runs: the checks made before connecting,
 * the secrets it reads once, and the words for a connection that fails.
 *
 * @module
 */

import {
  escapeControl,
  giveUpReading,
  readSecretFile,
  readToken,
  runCommand,
  type SecretReader,
  shellWord,
  splitPath,
  TLS_FOLDER,
  UserFacingError,
  withPaths,
} from "../common/mod.ts";
import { quoteLine, TOKEN } from "../wire/mod.ts";
import type { ClientCommandLine } from "./cli.ts";
import { readTypedLine } from "./commands.ts";
import { type ConnectConfig, taskPermissions } from "./config.ts";
import { connectFailure, type TlsProblem } from "./failures.ts";
import { prepareDownloads } from "./folder.ts";
import { defaultHistoryPath } from "./history.ts";
import { STANDARD_OUTPUT } from "./streamed_file.ts";

/**
 * Makes sure, before connecting, that downloads can be saved where the
 * command line says: `-o FILE` (replaced only when told to), or the
 * downloads folder when a download may come.
 *
 * @throws {UserFacingError} saying what is wrong, or which flags to add.
 */
export async function checkSaving(command: ClientCommandLine): Promise<void> {
  const { saveAs, oneShot, overwrite, downloadsDir } = command;
  const ask = Deno.stdin.isTerminal();
  const allowing = (dir: string) =>
    commandAllowing(command, { read: [dir], write: [dir] });
  if (saveAs === undefined) {
    if (oneShot === null || readTypedLine(oneShot).kind === "download") {
      await prepareDownloads(downloadsDir, ask, allowing);
    }
    return;
  }
  if (saveAs === STANDARD_OUTPUT) return; // no folder, nothing to replace
  await prepareDownloads(splitPath(saveAs)[0], ask, allowing);
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(saveAs);
  } catch {
    return; // nothing there yet
  }
  if (info.isDirectory) {
    throw new UserFacingError(`${saveAs} is a folder; name a file to save as`);
  }
  if (!overwrite) {
    throw new UserFacingError(
      `${saveAs} already exists; add --overwrite to replace it`,
    );
  }
}

/**
 * The command that runs the client as its task does, with the same
 * arguments, but allowed to read and write the paths `more` names.
 */
export function commandAllowing(
  command: ClientCommandLine,
  more: { read?: string[]; write?: string[] },
): string {
  const task = taskPermissions(defaultHistoryPath());
  return runCommand("client.ts", {
    ...task,
    read: withPaths(task.read, ...more.read ?? []),
    write: withPaths(task.write, ...more.write ?? []),
  }, command.args);
}

/**
 * How the client says it may not read a file or the token's variable:
 * with the command that may. Its downloads folder it reads all along.
 */
function secretReader(
  command: ClientCommandLine,
  warn: (text: string) => void,
): SecretReader {
  return {
    tokenAdvice: "give the token the server was started with",
    denied: (path) =>
      `No permission to read ${escapeControl(path)}; run: ${
        commandAllowing(command, { read: [path] })
      }`,
    envDenied: (variable) =>
      `This client may not read ${variable}, so it sends no token from it; to let it, run: ${
        commandAllowing(command, {})
      }`,
    keeps: [command.downloadsDir],
    warn,
  };
}

/**
 * How to connect, with the secrets: the token, from its file or the
 * environment, and the authority of `--ca`. Each file is read once, and
 * may not be read again after; `warn` says what is left unread.
 *
 * @throws {UsageError} for a token given twice.
 * @throws {UserFacingError} for a file that cannot be read, or a token
 * that is not one.
 */
export async function readSecrets(
  command: ClientCommandLine,
  warn: (text: string) => void,
): Promise<ConnectConfig> {
  const { caFile, tokenFile } = command;
  const reader = secretReader(command, warn);
  let ca: string | undefined;
  let token: string | null;
  try {
    ca = caFile === undefined
      ? undefined
      : await readSecretFile(caFile, "the authority file", reader);
    token = await readToken(TOKEN, tokenFile, reader);
  } finally {
    await giveUpReading([caFile, tokenFile, TLS_FOLDER], reader);
  }
  const { tls } = command.connect;
  return {
    ...command.connect,
    token,
    tls: tls === null ? null : { caCerts: ca === undefined ? undefined : [ca] },
  };
}

/** The warning for a token sent to `where` in clear text. */
export function tokenInClear(where: string): string {
  return `The token goes to ${where} without TLS: others on the network may read it (connect with --tls)`;
}

/**
 * Says in words why a TLS handshake with `where` failed; `names` are those
 * the server's certificate is for, where known.
 */
function tlsWords(
  problem: TlsProblem,
  detail: string,
  names: readonly string[],
  where: string,
): string {
  switch (problem) {
    case "plain-text":
      return `${where} does not speak TLS (it answered in plain text): connect without --tls`;
    case "authority-as-server":
      return `Cannot connect to ${where} over TLS: its certificate is marked as an authority; make it with basicConstraints=critical,CA:FALSE (see README)`;
    case "unknown-authority":
      return `Cannot connect to ${where} over TLS: its certificate is not from an authority this client trusts (give that authority with --ca FILE)`;
    case "wrong-name":
      return names.length === 0
        ? `Cannot connect to ${where} over TLS: its certificate is not for that name; connect by the name it is for`
        : `Cannot connect to ${where} over TLS: its certificate is for ${
          names.map(escapeControl).join(", ")
        }, not that name; connect with --host ${escapeControl(names[0])}`;
    case "other":
      return `Cannot connect to ${where} over TLS: ${detail}`;
  }
}

/**
 * Turns a failure to connect to `where` into one line a user can act on,
 * the failure kept as its cause; any other error is returned as it is.
 * `args`, the command line's, make the command that talks to a server
 * that is not ackline's in plain mode.
 */
export function connectError(
  error: unknown,
  where: string,
  args?: readonly string[],
): unknown {
  const words = connectWords(error, where, args);
  return words === null ? error : new UserFacingError(words, { cause: error });
}

/** The command that runs the client as `args` asked, in plain mode. */
export function plainCommand(args: readonly string[]): string {
  return ["deno", "task", "client", "--plain", ...args].map(shellWord)
    .join(" ");
}

/** Says in words why connecting to `where` failed; `null` for a bug. */
function connectWords(
  error: unknown,
  where: string,
  args?: readonly string[],
): string | null {
  const failure = connectFailure(error);
  if (failure === null) return null;
  switch (failure.kind) {
    case "refused":
      return `Cannot connect to ${where}: connection refused (is the server running?)`;
    case "speaks-tls":
      return `${where} speaks TLS: connect with --tls (and --ca FILE if its certificate is from a private authority)`;
    case "foreign":
      return `${where} is not an ackline server; it sent: ${
        quoteLine(failure.bytes)
      }${
        args === undefined
          ? ""
          : `; to talk to it as the course's clients do, run: ${
            plainCommand(args)
          }`
      }`;
    case "tls":
      return tlsWords(failure.problem, failure.detail, failure.names, where);
    case "token":
      return failure.refusal.message;
    case "turned-away":
      return escapeControl(failure.words);
    case "network":
      return `Cannot connect to ${where}: ${failure.words}`;
  }
}
