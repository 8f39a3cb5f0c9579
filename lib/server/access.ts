/**
 * Who may use the server: a token a client presents in `hello`, checked in
 * constant time, and protected mode, which turns away peers from other
 * machines when the server listens beyond loopback with no token.
 *
 * @module
 */

import { isLoopback, isLoopbackPeer } from "../common/mod.ts";
import { MAX_TOKEN_LENGTH, TOKEN_VARIABLE } from "../wire/mod.ts";

/** How a server lets clients in. */
export interface AccessPolicy {
  /** The address it listens on. */
  hostname: string;
  /** Whether clients must present a token. */
  token: boolean;
  /** Whether it was told to serve anyone (`--open`). */
  open: boolean;
  /** Whether connections are encrypted. */
  tls: boolean;
}

/**
 * Whether protected mode is on: the server listens beyond loopback, with
 * no token, and was not told to serve anyone.
 */
export function isProtected(policy: AccessPolicy): boolean {
  return !isLoopback(policy.hostname) && !policy.token && !policy.open;
}

/** Whether protected mode turns away a peer at `peerHostname`. */
export function refusesPeer(
  policy: AccessPolicy,
  peerHostname: string,
): boolean {
  return isProtected(policy) && !isLoopbackPeer(peerHostname);
}

/** The access line of the banner: who can connect, and how. */
export function describeAccess(policy: AccessPolicy, where: string): string {
  const how = `${policy.token ? "token required" : "no token"}, ${
    policy.tls ? "TLS" : "no TLS"
  }`;
  if (isLoopback(policy.hostname)) {
    return `Access: this machine only (loopback); ${how}`;
  }
  if (isProtected(policy)) {
    return `Access: protected mode, only this machine's clients are served (no token; use ${TOKEN_VARIABLE} or --token-file, or --open); ${how}`;
  }
  return `Access: anyone who can reach ${where}; ${how}`;
}

/** A token, compared in constant time. */
export class Token {
  readonly #token: string;

  /** Keeps `token`. */
  constructor(token: string) {
    this.#token = token;
  }

  /**
   * Whether `candidate` is the token. Every character up to the longest
   * token a server takes (or the candidate's end, if longer) is compared,
   * so the time taken depends neither on where they differ nor on the
   * token's length.
   */
  matches(candidate: string): boolean {
    const token = this.#token;
    let difference = token.length ^ candidate.length;
    const steps = Math.max(MAX_TOKEN_LENGTH, candidate.length);
    for (let i = 0; i < steps; i++) {
      // Past a string's end charCodeAt is NaN, which `| 0` makes 0.
      difference |= (token.charCodeAt(i) | 0) ^ (candidate.charCodeAt(i) | 0);
    }
    return difference === 0;
  }
}
