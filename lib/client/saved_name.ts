/**
 * The name a download is saved under: whatever the server sent, made a
 * plain file name that is safe to save and to show.
 *
 * @module
 */

// Characters that are separators, reserved on Windows, or controls.
// deno-lint-ignore no-control-regex -- control characters are what we strip
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g;
const FALLBACK_NAME = "download";

// Invisible or direction-changing: removed, so a name shows as it is.
const INVISIBLE = /[\u2028\u2029]|\p{Cf}/gu;
/** Longest saved name in UTF-8 bytes: file systems take 255. */
export const MAX_SAVED_NAME_BYTES = 200;
const encoder = new TextEncoder();

/** Cuts `name` to `max` UTF-8 bytes, keeping a short extension. */
function shorten(name: string, max: number): string {
  if (encoder.encode(name).length <= max) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  let stem = "";
  let bytes = encoder.encode(extension).length;
  for (const char of name.slice(0, name.length - extension.length)) {
    bytes += encoder.encode(char).length;
    if (bytes > max) break;
    stem += char;
  }
  return stem + extension;
}

/**
 * Turns whatever name a server sent into a plain file name that is safe to
 * save and to show: the last `/`-separated component, with backslashes, controls
 * and characters Windows reserves replaced by `_`, invisible and
 * direction-changing characters removed, no leading dot (not hidden), no
 * white space or dots at the ends, at most {@linkcode MAX_SAVED_NAME_BYTES}
 * bytes (the extension kept). Never returns a name that leaves the folder.
 */
export function safeFileName(name: string): string {
  // A backslash is a character of a name on the server's system, not a
  // separator: it becomes `_` below, as everything Windows reserves.
  const last = name.split("/").filter((part) => part !== "").pop() ?? "";
  const cleaned = last.replace(INVISIBLE, "").replace(UNSAFE, "_")
    .replace(/^[\s.]+|[\s.]+$/gu, "");
  if (cleaned === "") return FALLBACK_NAME;
  return shorten(cleaned, MAX_SAVED_NAME_BYTES);
}

/** The `n`th numbered form of a name that is taken: `name (2).ext`. */
export function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0
    ? `${name.slice(0, dot)} (${n})${name.slice(dot)}`
    : `${name} (${n})`;
}
