/**
 * Secrets both programs read at start (a token, a certificate, a key):
 * each file is read once, checked, and the permission to read it is given
 * up, so that no bug could read it again.
 *
 * @module
 */

import { UsageError, UserFacingError } from "./cli.ts";
import { isWithin } from "./path.ts";
import { allowedEnv, hasPermission } from "./permissions.ts";
import { escapeControl } from "./text.ts";

/**
 * The folder README's network recipe makes the TLS key and certificate
 * in: both programs' tasks may read it, so the recipe works as written.
 */
export const TLS_FOLDER = "./tls";

/** How a program reads its secrets, and says what is wrong with them. */
export interface SecretReader {
  /**
   * The words for a file the program may not read: what to run, or which
   * flag to add, so that it may.
   */
  denied(path: string): string;
  /**
   * The words for an environment variable the program may not read: what
   * to run so that it may.
   */
  envDenied(variable: string): string;
  /** What to do instead of giving a token that is not one. */
  tokenAdvice: string;
  /**
   * Folders the program reads all along: a file inside one is read
   * without giving up the permission, which would give up the folder's.
   */
  keeps: readonly string[];
  /** Says a warning where the program says them. */
  warn(text: string): void;
}

/**
 * Reads the text of `path`, described as `what` (`the token file`), asking
 * for the permission on a terminal. The permission stays until
 * {@linkcode giveUpReading}: giving up one file's gives up the whole
 * folder's that was granted, and a secret beside it may yet be read.
 *
 * @throws {UserFacingError} for a file the program may not or cannot read.
 */
export async function readSecretFile(
  path: string,
  what: string,
  reader: SecretReader,
): Promise<string> {
  if (!await hasPermission({ name: "read", path })) {
    throw new UserFacingError(reader.denied(path));
  }
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UserFacingError(
      `Cannot read ${what} ${escapeControl(path)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/**
 * Gives up the permission to read `paths` (the secrets once read, and the
 * TLS folder), but for those in a folder the reader keeps.
 */
export async function giveUpReading(
  paths: readonly (string | undefined)[],
  reader: SecretReader,
): Promise<void> {
  for (const path of paths) {
    if (path === undefined) continue;
    if (reader.keeps.some((folder) => isWithin(path, folder))) continue;
    await Deno.permissions.revoke({ name: "read", path });
  }
}

/** What a token is: where it may come from, and what it must look like. */
export interface TokenRule {
  /** The environment variable that may hold it. */
  variable: string;
  /** Whether a text may be a token. */
  accepts(token: string): boolean;
  /** What a token must be, for people. */
  rule: string;
}

/**
 * The token, from `file` or from the rule's environment variable, checked
 * against the rule; `null` for none. A variable the program may not read
 * is asked for on a terminal, and otherwise left with a warning.
 *
 * @throws {UsageError} for both at once.
 * @throws {UserFacingError} for a file that cannot be read, or a token
 * that is not one.
 */
export async function readToken(
  rule: TokenRule,
  file: string | undefined,
  reader: SecretReader,
): Promise<string | null> {
  const { variable } = rule;
  if (
    file === undefined && !await hasPermission({ name: "env", variable })
  ) {
    reader.warn(reader.envDenied(variable));
  }
  const fromEnv = allowedEnv(variable);
  if (file !== undefined && fromEnv !== undefined) {
    throw new UsageError(
      `Give the token in ${variable} or with --token-file, not both`,
    );
  }
  if (file === undefined) {
    if (fromEnv === undefined) return null;
    if (!rule.accepts(fromEnv)) {
      throw new UserFacingError(
        `${variable} must be ${rule.rule} (${reader.tokenAdvice})`,
      );
    }
    return fromEnv;
  }
  const token = (await readSecretFile(file, "the token file", reader)).trim();
  if (!rule.accepts(token)) {
    throw new UserFacingError(
      `The token in ${
        escapeControl(file)
      } must be ${rule.rule} (${reader.tokenAdvice})`,
    );
  }
  return token;
}
