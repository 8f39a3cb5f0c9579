/**
 * The std assertions the tests use, with the types the std documentation
 * gives them (the mapped std build has no type declarations).
 *
 * @module
 */

import * as std from "@std/assert";

/** A class of errors, as the assertions that expect one take it. */
// deno-lint-ignore no-explicit-any -- any constructor of an error will do
export type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

/** Throws unless `expr` is truthy. */
export const assert: (expr: unknown, msg?: string) => asserts expr = std.assert;

/** Throws unless `actual` and `expected` are deeply equal. */
export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void =
  std.assertEquals;

/** Throws if `actual` and `expected` are deeply equal. */
export const assertNotEquals: <T>(
  actual: T,
  expected: T,
  msg?: string,
) => void = std.assertNotEquals;

/** Throws unless `actual` is greater than `expected`. */
export const assertGreater: <T>(actual: T, expected: T, msg?: string) => void =
  std.assertGreater;

/** Throws unless `actual` matches `expected`. */
export const assertMatch: (
  actual: string,
  expected: RegExp,
  msg?: string,
) => void = std.assertMatch;

/** Throws unless `actual` contains `expected`. */
export const assertStringIncludes: (
  actual: string,
  expected: string,
  msg?: string,
) => void = std.assertStringIncludes;

/** Throws unless `actual` is an instance of `expectedType`. */
export const assertInstanceOf: <E>(
  actual: unknown,
  // deno-lint-ignore no-explicit-any -- as std declares it
  expectedType: abstract new (...args: any[]) => E,
  msg?: string,
) => asserts actual is E = std.assertInstanceOf;

/** Throws unless `fn` throws (an `errorClass`, whose message includes `msgIncludes`). */
export const assertThrows: {
  <E extends Error = Error>(
    fn: () => unknown,
    errorClass: ErrorClass<E>,
    msgIncludes?: string,
    msg?: string,
  ): E;
  (fn: () => unknown, msg?: string): unknown;
} = std.assertThrows;

/** Rejects unless `fn` rejects (with an `errorClass`, whose message includes `msgIncludes`). */
export const assertRejects: {
  <E extends Error = Error>(
    fn: () => PromiseLike<unknown>,
    errorClass: ErrorClass<E>,
    msgIncludes?: string,
    msg?: string,
  ): Promise<E>;
  (fn: () => PromiseLike<unknown>, msg?: string): Promise<unknown>;
} = std.assertRejects;
