/**
 * What the server does before it listens: the checks on its files folder,
 * the secrets it reads once, and the words for a start that fails.
 *
 * @module
 */

import {
  escapeControl,
  giveUpReading,
  hasPermission,
  isWithin,
  netHost,
  readSecretFile,
  readToken,
  runCommand,
  type SecretReader,
  shellWord,
  TLS_FOLDER,
  UserFacingError,
  withPaths,
} from "../common/mod.ts";
import { TOKEN } from "../wire/mod.ts";
import type { ServerCommandLine } from "./cli.ts";
import { type ServerConfig, TASK_PERMISSIONS } from "./config.ts";
import { RepositoryError } from "./repository.ts";
import { HOP_HOST } from "./tls_front.ts";

/**
 * The files the server reads: its folder, and the secrets it reads once.
 */
function readPaths(command: ServerCommandLine): string[] {
  const { config, tokenFile, tlsFiles } = command;
  return [
    config.filesDir,
    ...tokenFile === undefined ? [] : [tokenFile],
    ...tlsFiles === null ? [] : [tlsFiles.cert, tlsFiles.key],
  ];
}

/**
 * The command that runs this server as its task does, with the same
 * arguments, but allowed to listen where they say and to read everything
 * they name (instead of `./files` alone).
 */
function commandReading(command: ServerCommandLine): string {
  return runCommand("server.ts", {
    ...TASK_PERMISSIONS,
    net: withPaths(TASK_PERMISSIONS.net, netHost(command.config.hostname)),
    read: readPaths(command),
  }, command.args);
}

/**
 * How the server says it may not read a file or its token's variable:
 * with the command that may. Its files folder it reads all along.
 */
function secretReader(
  command: ServerCommandLine,
  warn: (text: string) => void,
): SecretReader {
  return {
    tokenAdvice: "make one with: openssl rand -hex 32",
    denied: (path) =>
      `This server may read only its files folder, and not ${
        escapeControl(path)
      }; to read it, run: ${commandReading(command)}`,
    envDenied: (variable) =>
      `This server may not read ${variable}, so it takes no token from it; to let it, run: ${
        commandReading(command)
      }`,
    keeps: [command.config.filesDir],
    warn,
  };
}

/**
 * Refuses a token or key file inside the folder the server serves, where
 * any client could download it.
 *
 * @throws {UserFacingError} naming the file and where to move it.
 */
function refuseServedSecrets(command: ServerCommandLine): void {
  const { config, tokenFile, tlsFiles } = command;
  const secrets = [
    { path: tokenFile, what: "The token file" },
    { path: tlsFiles?.key, what: "The TLS key" },
  ];
  for (const { path, what } of secrets) {
    if (path !== undefined && isWithin(path, config.filesDir)) {
      throw new UserFacingError(
        `${what} ${
          escapeControl(path)
        } is in the folder this server serves, where any client could download it; move it out, for example: mv ${
          shellWord(path)
        } ${TLS_FOLDER}/`,
      );
    }
  }
}

/**
 * Makes sure the server may read its files folder before it starts: asks
 * on a terminal (Deno's own question), and otherwise says which command
 * would let it.
 *
 * @throws {UserFacingError} when the permission is missing.
 */
export async function checkFilesFolder(
  command: ServerCommandLine,
): Promise<void> {
  const path = command.config.filesDir;
  if (!await hasPermission({ name: "read", path })) {
    const shown = escapeControl(path);
    throw new UserFacingError(
      `This server may read only its files folder, and not ${shown} (so it cannot see whether that is there); to serve ${shown}, run: ${
        commandReading(command)
      }`,
    );
  }
}

/**
 * The configuration with its secrets: the token, from its file or the
 * environment, and the TLS certificate and key. Each file is read once,
 * and may not be read again after; `warn` says what is left unread.
 *
 * @throws {UsageError} for a token given twice.
 * @throws {UserFacingError} for a file that cannot be read, a secret in
 * the served folder, or a token that is too weak.
 */
export async function readSecrets(
  command: ServerCommandLine,
  warn: (text: string) => void,
): Promise<ServerConfig> {
  refuseServedSecrets(command);
  const reader = secretReader(command, warn);
  const { tokenFile, tlsFiles } = command;
  try {
    const token = await readToken(TOKEN, tokenFile, reader);
    const tls = tlsFiles === null ? null : {
      cert: await readSecretFile(tlsFiles.cert, "the TLS certificate", reader),
      key: await readSecretFile(tlsFiles.key, "the TLS key", reader),
    };
    return { ...command.config, token, tls };
  } finally {
    await giveUpReading(
      [tokenFile, tlsFiles?.cert, tlsFiles?.key, TLS_FOLDER],
      reader,
    );
  }
}

/**
 * Turns a failure to start the server `command` asked for (`config`, with
 * its secrets) into one line a user can act on.
 */
export function startError(
  error: unknown,
  command: ServerCommandLine,
  config: ServerConfig,
): unknown {
  const { hostname, port, tls } = config;
  if (error instanceof RepositoryError) {
    return new UserFacingError(error.message);
  }
  if (error instanceof Deno.errors.AddrInUse) {
    return new UserFacingError(
      `Port ${port} is already in use on ${hostname}; stop the program using it or pick another with --port`,
    );
  }
  if (error instanceof Deno.errors.NotCapable) {
    // A TLS server listens behind its public port too (see tls_front.ts).
    const behind = tls === null
      ? ""
      : ` and on ${HOP_HOST}, where its TLS runs`;
    return new UserFacingError(
      `No permission to listen on ${hostname}:${port}${behind}; run: ${
        commandReading(command)
      }`,
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new UserFacingError(
      `Cannot listen on ${hostname}: ${error.message}`,
    );
  }
  if (tls !== null && error instanceof Error) {
    // Deno's words for a PEM it cannot use (no key, not a certificate).
    return new UserFacingError(
      `Cannot use the TLS certificate and key: ${error.message}`,
    );
  }
  return error;
}
