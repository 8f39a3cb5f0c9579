/**
 * What a failure to connect was, as a kind: the one place the errors of
 * connecting are told apart, for the program to word.
 *
 * @module
 */

import { ProtocolError } from "../wire/mod.ts";
import { TokenRefusedError } from "./connect.ts";
import { ConnectionClosedError, ReplyError } from "./errors.ts";

/** Why a TLS handshake failed, as far as the client can tell. */
export type TlsProblem =
  /** The server answered in plain text. */
  | "plain-text"
  /** Its certificate is marked as an authority, not a server's. */
  | "authority-as-server"
  /** Its certificate is not from an authority this client trusts. */
  | "unknown-authority"
  /** Its certificate is not for the name connected to. */
  | "wrong-name"
  /** Something else; the handshake's own words say what. */
  | "other";

// Deno reports a failed handshake as `InvalidData` with the TLS library's
// error named only in the message: the one place its name is read, and
// turned into a kind.
const TLS_PROBLEMS: readonly [RegExp, TlsProblem][] = [
  [/InvalidContentType|corrupt message|WrongVersion/i, "plain-text"],
  [/CaUsedAsEndEntity/i, "authority-as-server"],
  [/UnknownIssuer|BadSignature/i, "unknown-authority"],
  [/NotValidForName|certificate not valid for name/i, "wrong-name"],
];

/** The kind of a failed TLS handshake (`Deno.errors.InvalidData`). */
export function tlsProblem(error: Deno.errors.InvalidData): TlsProblem {
  return TLS_PROBLEMS.find(([pattern]) => pattern.test(error.message))?.[1] ??
    "other";
}

// The same message lists, for a certificate not valid for the name, the
// names it is valid for: `DnsName("a")`, `IpAddress(127.0.0.1)`.
const VALID_FOR = /only valid for (.*)$/s;
const VALID_NAME = /(?:DnsName|IpAddress)\("?([^")]+)"?\)/g;

/**
 * The names a certificate is valid for, as a failed handshake names them
 * (`Deno.errors.InvalidData`); empty when it does not.
 */
export function certificateNames(error: Deno.errors.InvalidData): string[] {
  const list = VALID_FOR.exec(error.message)?.[1] ?? "";
  return [...list.matchAll(VALID_NAME)].map((match) => match[1]);
}

/** What a failure to connect was, for the program to word. */
export type ConnectFailure =
  /** No server listens there. */
  | { kind: "refused" }
  /** Something answered that is no ackline server; `bytes` are what it sent. */
  | { kind: "foreign"; bytes: Uint8Array }
  /** A TLS server, spoken to in plain text. */
  | { kind: "speaks-tls" }
  /** A TLS handshake that failed. */
  | {
    kind: "tls";
    problem: TlsProblem;
    detail: string;
    /** The names the server's certificate is for, where it was said. */
    names: string[];
  }
  /** The server wants a token, or did not take the one given. */
  | { kind: "token"; refusal: TokenRefusedError }
  /** The server turned the client away, or closed the connection: its words. */
  | { kind: "turned-away"; words: string }
  /** Anything else that failed at the network; its words. */
  | { kind: "network"; words: string };

/**
 * The kind of a failure of {@linkcode connect}, or `null` for an error
 * that is no failure to connect (a bug).
 */
export function connectFailure(error: unknown): ConnectFailure | null {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return { kind: "refused" };
  }
  if (
    error instanceof ConnectionClosedError &&
    error.cause instanceof ProtocolError
  ) {
    const { fault } = error.cause;
    // A TLS record (an alert, a handshake) where a reply line should be.
    if (fault.kind === "tls-record") return { kind: "speaks-tls" };
    if (fault.kind === "unexpected-line") {
      return { kind: "foreign", bytes: fault.bytes };
    }
  }
  if (error instanceof Deno.errors.InvalidData) {
    return {
      kind: "tls",
      problem: tlsProblem(error),
      detail: error.message,
      names: certificateNames(error),
    };
  }
  if (error instanceof TokenRefusedError) {
    return { kind: "token", refusal: error };
  }
  if (error instanceof ReplyError || error instanceof ConnectionClosedError) {
    return { kind: "turned-away", words: error.message };
  }
  if (error instanceof Error && !(error instanceof TypeError)) {
    return { kind: "network", words: error.message };
  }
  return null;
}
