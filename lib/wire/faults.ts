/**
 * What can be wrong with what a server sends, as kinds with the bytes they
 * met, and the one place that words them.
 *
 * @module
 */

import { escapeControl, formatBytes } from "../common/mod.ts";

const decoder = new TextDecoder();

/** What a server sent that breaks the protocol, or a limit. */
export type ProtocolFault =
  /** A line that is no reply line; `bytes` are its start. */
  | { kind: "unexpected-line"; bytes: Uint8Array }
  /** A TLS record where a reply line should be: the server speaks TLS. */
  | { kind: "tls-record"; bytes: Uint8Array }
  /** A reply line longer than `limit` bytes. */
  | { kind: "line-too-long"; limit: number }
  /** A reply of more than `limit` lines. */
  | { kind: "too-many-lines"; limit: number }
  /** A reply of more than `limit` bytes. */
  | { kind: "too-large"; limit: number }
  /** A download header that does not parse; `text` is its text. */
  | { kind: "bad-header"; text: string }
  /** A reply with code `code` when none was asked for. */
  | { kind: "unasked-reply"; code: number }
  /** Raw bytes of a download nobody asked for. */
  | { kind: "unasked-payload" };

// How much of a line that is no reply line is quoted, in characters.
const QUOTED_CHARACTERS = 80;

/** The start of `bytes`, escaped, as a line a person can read. */
export function quoteLine(bytes: Uint8Array): string {
  return escapeControl(
    decoder.decode(bytes.subarray(0, 4 * QUOTED_CHARACTERS))
      .slice(0, QUOTED_CHARACTERS),
  );
}

/** A protocol fault in words. */
export function describeProtocolFault(fault: ProtocolFault): string {
  switch (fault.kind) {
    case "unexpected-line":
    case "tls-record":
      return `Unexpected line from the server: ${quoteLine(fault.bytes)}`;
    case "line-too-long":
      return `Reply line is longer than ${fault.limit} bytes`;
    case "too-many-lines":
      return `Reply has more than ${fault.limit} lines`;
    case "too-large":
      return `Reply is larger than ${fault.limit} bytes`;
    case "bad-header":
      return `Malformed download header: ${
        escapeControl(fault.text.slice(0, QUOTED_CHARACTERS))
      }`;
    case "unasked-reply":
      return `Unexpected reply from the server: ${fault.code}`;
    case "unasked-payload":
      return "Unexpected file data from the server";
  }
}

/**
 * Whether `bytes` start as a TLS handshake record does: the first bytes of
 * a TLS client.
 */
export function isTlsHandshake(bytes: Uint8Array): boolean {
  return bytes[0] === 0x16 && bytes[1] === 0x03;
}

/**
 * Whether `bytes` start as a TLS record does (a handshake, or an alert):
 * a server that speaks TLS where plain lines were expected.
 */
export function isTlsRecord(bytes: Uint8Array): boolean {
  return isTlsHandshake(bytes) || (bytes[0] === 0x15 && bytes[1] === 0x03);
}

/** The error for `line`, which is no reply line: its start is kept. */
export function unexpectedLine(line: Uint8Array): ProtocolError {
  const bytes = line.slice(0, 4 * QUOTED_CHARACTERS);
  return new ProtocolError({
    kind: isTlsRecord(bytes) ? "tls-record" : "unexpected-line",
    bytes,
  });
}

/** Thrown when the peer does not speak the protocol or breaks a limit. */
export class ProtocolError extends Error {
  /** What was wrong. */
  readonly fault: ProtocolFault;

  /** Creates the error for `fault`, its message saying what arrived. */
  constructor(fault: ProtocolFault) {
    super(describeProtocolFault(fault));
    this.name = "ProtocolError";
    this.fault = fault;
  }
}

/** Thrown when the connection ends before a download's last byte. */
export class TruncatedPayloadError extends Error {
  /** Bytes that never arrived. */
  readonly missing: number;
  /** Bytes the header announced. */
  readonly size: number;

  /**
   * Creates the error for the download of `name` (as the header gave it),
   * cut `missing` bytes short of `size`.
   */
  constructor(missing: number, size: number, name = "the file") {
    super(
      `Server closed the connection during the download of ${
        escapeControl(name)
      }: ${formatBytes(size - missing)} of ${formatBytes(size)} arrived`,
    );
    this.name = "TruncatedPayloadError";
    this.missing = missing;
    this.size = size;
  }
}
