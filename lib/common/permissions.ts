/**
 * Permissions the programs check before they use them: a missing one is
 * asked for on a terminal (Deno's own question), never by surprise later,
 * and reported with the flag to add elsewhere.
 *
 * @module
 */

/**
 * Whether the program has `descriptor`'s permission, asking for it when
 * `ask` (a person at a terminal) and Deno would ask.
 */
export async function hasPermission(
  descriptor: Deno.PermissionDescriptor,
  ask: boolean = Deno.stdin.isTerminal(),
): Promise<boolean> {
  let { state } = await Deno.permissions.query(descriptor);
  if (state === "prompt" && ask) {
    ({ state } = await Deno.permissions.request(descriptor));
  }
  return state === "granted";
}

/**
 * The value of an environment variable the program may read, without
 * asking; `undefined` when unset or not allowed.
 */
export function allowedEnv(variable: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable }).state ===
      "granted"
    ? Deno.env.get(variable)
    : undefined;
}
