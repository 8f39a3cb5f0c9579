import { isLoopback, isLoopbackPeer } from "../../lib/common/hosts.ts";
import { assert } from "../support/assert.ts";

Deno.test("loopback addresses to listen on and to come from", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) {
    assert(isLoopback(host), host);
  }
  for (const host of ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "fe80::1"]) {
    assert(!isLoopback(host), host);
  }
  for (const peer of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"]) {
    assert(isLoopbackPeer(peer), peer);
  }
  for (
    const peer of ["10.0.0.5", "::ffff:10.0.0.5", "2001:db8::1", "128.0.0.1"]
  ) {
    assert(!isLoopbackPeer(peer), peer);
  }
});
