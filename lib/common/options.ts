/**
 * Options objects: what a caller gave, as against what it left out.
 *
 * @module
 */

/**
 * The entries of `options` that hold a value: `{ port: undefined }` gives
 * no port, so a default spread before it stands.
 *
 * @example Usage
 * ```ts
 * import { given } from "./options.ts";
 *
 * ({ port: 12345, ...given({ port: undefined }) }); // { port: 12345 }
 * ```
 */
export function given<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
