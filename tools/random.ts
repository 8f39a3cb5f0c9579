/**
 * Random data for tests, the soak run and the benchmark.
 *
 * @module
 */

/**
 * A seeded pseudo-random generator (mulberry32) returning numbers in
 * [0, 1): the same seed gives the same sequence, so a run can be replayed.
 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills `bytes` with cryptographically random bytes, in the 64 KiB steps
 * `crypto.getRandomValues` allows, and returns it.
 */
export function fillRandom(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i += 65536) {
    crypto.getRandomValues(
      bytes.subarray(i, Math.min(bytes.length, i + 65536)),
    );
  }
  return bytes;
}
