/**
 * The grammar of `hello <name> <program>/<version> [<token>]`, the one
 * place it is written: how a client writes its introduction, how a server
 * reads it, and what a token may be.
 *
 * @module
 */

/** What a client says of itself in `hello`. */
export interface Introduction {
  /** The name the greeting gave it. */
  name: string;
  /** Its program and version: `ackline-client/1.0.0`. */
  agent: string;
  /** Its token, when it has one. */
  token: string | null;
}

// A word of an introduction: printable ASCII, no space.
const WORD = "[\\x21-\\x7e]+";

/**
 * The arguments of `hello`, exactly: strict, so that "hello world", the
 * course's first message, stays a message to echo.
 */
export const INTRODUCTION_PATTERN: RegExp = new RegExp(
  `^(Client\\d+) (${WORD}/${WORD})(?: (${WORD}))?$`,
);

/** The arguments of `hello`: `<name> <program>/<version> [<token>]`. */
export function formatIntroduction(
  { name, agent, token }: Introduction,
): string {
  return token === null ? `${name} ${agent}` : `${name} ${agent} ${token}`;
}

/**
 * Reads the arguments of `hello`.
 *
 * @returns `null` when they are not an introduction.
 */
export function parseIntroduction(text: string): Introduction | null {
  const match = INTRODUCTION_PATTERN.exec(text);
  if (match === null) return null;
  return { name: match[1], agent: match[2], token: match[3] ?? null };
}

/** The environment variable that holds the token, for both programs. */
export const TOKEN_VARIABLE = "ACKLINE_TOKEN";

/** The shortest token a server takes: guessing one must be hopeless. */
export const MIN_TOKEN_LENGTH = 24;
/** The longest token a server takes. */
export const MAX_TOKEN_LENGTH = 1024;

/**
 * The least a token's variety may be, in bits (see {@linkcode tokenBits}):
 * one of low variety (`weakweakweak0042`) is refused, however long.
 */
export const MIN_TOKEN_BITS = 64;

/** A token's form: printable, no white space, 24 to 1,024 characters. */
export const TOKEN_PATTERN: RegExp = new RegExp(
  `^[\\x21-\\x7e]{${MIN_TOKEN_LENGTH},${MAX_TOKEN_LENGTH}}$`,
);

/**
 * How hard `token` is to guess, at most, in bits: the characters that are
 * not a repeat (one per new run of four) times the bits of a character
 * drawn from those it uses. Random hex of 32 characters gives about 128;
 * `weakweakweak0042` gives 31, and repeating it gains little.
 */
export function tokenBits(token: string): number {
  const distinct = new Set(token).size;
  if (distinct < 2) return 0;
  const runs = new Set<string>();
  for (let i = 0; i + 4 <= token.length; i++) runs.add(token.slice(i, i + 4));
  const fresh = Math.min(token.length, runs.size + 3);
  return fresh * Math.log2(distinct);
}

/** Whether `token` may be a token: its form, and enough variety. */
export function isToken(token: string): boolean {
  return TOKEN_PATTERN.test(token) && tokenBits(token) >= MIN_TOKEN_BITS;
}

/** What a token must be, for people. */
export const TOKEN_RULE =
  `${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} printable characters without spaces, varied enough to be hard to guess`;

/** The token as both programs read it (see `readToken`). */
export const TOKEN: Readonly<
  { variable: string; accepts: (token: string) => boolean; rule: string }
> = Object.freeze({
  variable: TOKEN_VARIABLE,
  accepts: isToken,
  rule: TOKEN_RULE,
});
