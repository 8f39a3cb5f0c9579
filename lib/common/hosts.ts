/**
 * Which addresses are this machine's own: a server listening there is
 * reachable from here only, and a client connecting there crosses no
 * network; and how Deno's permission flags write an address.
 *
 * @module
 */

/** Whether `hostname` (to listen on or connect to) is this machine's loopback. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" ||
    hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Whether a peer's address is this machine's (IPv6-mapped IPv4 too). */
export function isLoopbackPeer(hostname: string): boolean {
  return hostname === "::1" ||
    /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(hostname);
}

/** `hostname` as `--allow-net` takes it: an IPv6 address in brackets. */
export function netHost(hostname: string): string {
  return hostname.includes(":") && !hostname.startsWith("[")
    ? `[${hostname}]`
    : hostname;
}
