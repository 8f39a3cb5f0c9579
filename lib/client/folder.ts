/**
 * The downloads folder, made ready before the first prompt: created if
 * missing, and the permissions to save in it checked once (asked for once
 * on a terminal), so no download fails half-way for want of them.
 *
 * @module
 */

import { hasPermission, UserFacingError } from "../common/mod.ts";

/**
 * Makes sure the client may read and write `dir` and that it exists.
 *
 * @param ask whether to ask the user for a missing permission (a terminal).
 * @param allowing the command that would allow it, for the error.
 * @throws {UserFacingError} giving that command when a permission is
 * missing, or saying what is wrong with the folder.
 */
export async function prepareDownloads(
  dir: string,
  ask: boolean,
  allowing: (dir: string) => string,
): Promise<void> {
  for (const name of ["read", "write"] as const) {
    if (!await hasPermission({ name, path: dir }, ask)) {
      throw new UserFacingError(
        `No permission to save downloads in ${dir}; run: ${allowing(dir)}`,
      );
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UserFacingError(
      `Cannot use ${dir} for downloads: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
