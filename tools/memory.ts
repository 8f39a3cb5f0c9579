/**
 * Reads how much memory another process holds, for the soak run and the
 * benchmark.
 *
 * @module
 */

/**
 * Resident memory of process `pid` in bytes, read with `ps`; `null` where
 * `ps` is missing or the process is gone.
 */
export async function residentMemory(pid: number): Promise<number | null> {
  try {
    const { stdout, success } = await new Deno.Command("ps", {
      args: ["-o", "rss=", "-p", String(pid)],
      stderr: "null",
    }).output();
    const kib = Number(new TextDecoder().decode(stdout).trim());
    return success && kib > 0 ? kib * 1024 : null;
  } catch {
    return null;
  }
}
