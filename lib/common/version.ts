/**
 * The version of ackline, which its programs state in `hello` and
 * `--help`.
 *
 * @module
 */

/** The version of ackline. */
export const VERSION = "1.0.0";
