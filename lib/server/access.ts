/**
 * Who may use the server: a token a client presents in `hello`, checked in
 * constant time, and protected mode, which turns away peers from other
 * machines when the server listens beyond loopback with no token.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Whether `hostname` (an address to listen on) is reachable from this machine only. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Whether a peer's address is this machine's (IPv6-mapped IPv4 too). */
export function isLoopbackPeer(hostname: string): boolean {
  return hostname === "::1" ||
    /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(hostname);
}

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
    return `Access: protected mode, only this machine's clients are served (no token; use ACKLINE_TOKEN or --token-file, or --open); ${how}`;
  }
  return `Access: anyone who can reach ${where}; ${how}`;
}

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** A token, kept as its digest and compared in constant time. */
export class Token {
  readonly #digest: Uint8Array;

  /** Keeps `token`'s digest, not the token. */
  constructor(token: string) {
    this.#digest = sha256(token);
  }

  /**
   * Whether `candidate` is the token. Both are hashed first, so the time
   * taken depends on neither's length nor on where they differ.
   */
  matches(candidate: string): boolean {
    const other = sha256(candidate);
    let difference = 0;
    for (let i = 0; i < other.length; i++) {
      difference |= other[i] ^ this.#digest[i];
    }
    return difference === 0;
  }
}
