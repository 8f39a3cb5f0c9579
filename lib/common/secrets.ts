/**
 * Secrets both programs read at start (a token, a certificate, a key):
 * each file is read once, checked, and the permission to read it is given
 * up, so that no bug could read it again.
 *
 * @module
 */

import { UsageError, UserFacingError } from "./cli.ts";
import { allowedEnv, hasPermission } from "./permissions.ts";
import { escapeControl } from "./text.ts";

/** How a program reads its secrets, and says what is wrong with them. */
export interface SecretReader {
  /**
   * The words for a file the program may not read: what to run, or which
   * flag to add, so that it may.
   */
  denied(path: string): string;
  /** What to do instead of giving a token that is not one. */
  tokenAdvice: string;
}

/**
 * Reads the text of `path`, described as `what` (`the token file`), asking
 * for the permission on a terminal; the permission is given up after.
 *
 * @throws {UserFacingError} for a file the program may not or cannot read.
 */
export async function readSecretFile(
  path: string,
  what: string,
  reader: SecretReader,
): Promise<string> {
  const descriptor = { name: "read", path } as const;
  if (!await hasPermission(descriptor)) {
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
  } finally {
    await Deno.permissions.revoke(descriptor);
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
 * The token, from `file` or from the rule's environment variable (read
 * only where allowed), checked against the rule; `null` for none.
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
  const fromEnv = allowedEnv(rule.variable);
  if (file !== undefined && fromEnv !== undefined) {
    throw new UsageError(
      `Give the token in ${rule.variable} or with --token-file, not both`,
    );
  }
  if (file === undefined) {
    if (fromEnv === undefined) return null;
    if (!rule.accepts(fromEnv)) {
      throw new UserFacingError(
        `${rule.variable} must be ${rule.rule} (${reader.tokenAdvice})`,
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
