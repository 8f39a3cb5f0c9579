/**
 * What the server says when it starts: where it listens, what it serves,
 * the limits in force, who can reach it, and how to stop it.
 *
 * @module
 */

import { escapeControl, formatAddress, formatBytes } from "../common/mod.ts";
import { type AccessPolicy, describeAccess, isProtected } from "./access.ts";
import type { ServerConfig } from "./config.ts";
import type { Logger } from "./log.ts";
import type { RepositoryListing } from "./repository.ts";

/** The facts the banner states. */
export interface BannerFacts {
  /** The address the server listens on. */
  addr: Deno.NetAddr;
  /** The files of the folder served, or `null` when they could not be listed. */
  listing: RepositoryListing | null;
  /** What the server is set to do. */
  config: ServerConfig;
  /** Who may connect. */
  access: AccessPolicy;
}

/** Logs the banner, one `SERVER` line a fact. */
export function logBanner(log: Logger, facts: BannerFacts): void {
  const { addr, listing, config } = facts;
  const { filesDir, maxClients, maxLineBytes, history } = config;
  const { idleMs } = config.timings;
  const where = formatAddress(addr);
  log("SERVER", `Listening on ${where}`, {
    host: addr.hostname,
    port: addr.port,
  });
  const folder = escapeControl(filesDir);
  if (listing === null) {
    log("SERVER", `Serving ${folder}`, { folder: filesDir });
  } else {
    const count = listing.entries.length;
    const bytes = listing.entries.reduce((sum, entry) => sum + entry.size, 0);
    log(
      "SERVER",
      `Serving ${folder}: ${count} ${count === 1 ? "file" : "files"}, ${
        formatBytes(bytes)
      }`,
      { folder: filesDir, files: count, bytes },
    );
  }
  const idle = idleMs === 0
    ? "no idle timeout"
    : `idle timeout ${idleMs / 1000} s`;
  log(
    "SERVER",
    `Limits: ${maxClients} ${
      maxClients === 1 ? "client" : "clients"
    } at once, lines up to ${
      formatBytes(maxLineBytes)
    }, ${idle}, status lists ${history} that left`,
    {
      maxClients,
      maxLineBytes,
      idleTimeoutSeconds: idleMs / 1000,
      history,
    },
  );
  const { access } = facts;
  log("SERVER", describeAccess(access, where), {
    access: isProtected(access) ? "protected" : access.open ? "open" : access
        .token
      ? "token"
      : "loopback",
    token: access.token,
    tls: access.tls,
  });
  if (access.open && !access.token) {
    log(
      "WARNING",
      `Serving its files to anyone who can reach ${where}, with no token (--open)`,
    );
  }
  log(
    "SERVER",
    `Process ${Deno.pid}: stop it with Ctrl+C, or kill -TERM ${Deno.pid}`,
    { pid: Deno.pid },
  );
}
