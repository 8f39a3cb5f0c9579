/**
 * File names on the wire. `list` shows each name escaped, the download
 * header carries it escaped, and `get` takes it back in the same form, so
 * whatever `list` shows can be fetched by typing exactly that. A name
 * needs escaping where it would otherwise be lost or misread: control
 * characters, the backslash itself, invisible and direction-changing
 * characters, and white space at either end (which `get` trims).
 *
 * @module
 */

import { escapeCharacter } from "../common/mod.ts";

/** Longest file name in bytes that file systems store. */
export const MAX_NAME_BYTES = 255;

const encoder = new TextEncoder();

// One character (code point) at a time. Control characters (C0, DEL, C1),
// the backslash, line and paragraph separators, and format characters
// (zero-width, byte order mark, bidirectional overrides): escaped wherever
// they are.
const ALWAYS = /\p{Cc}|[\\\u2028\u2029]|\p{Cf}/u;
// White space is escaped only at either end of the name.
const SPACE = /\s/u;

function escapeChar(char: string): string {
  if (char === "\\") return "\\\\";
  if (char === "\t") return "\\t";
  return escapeCharacter(char);
}

/**
 * The form of `name` that `list` shows and `get` takes: printable, one
 * line, no white space at its ends, and read back exactly by
 * {@linkcode unescapeName}.
 *
 * @example Usage
 * ```ts
 * import { escapeName } from "./names.ts";
 *
 * escapeName(" notes\\draft.txt"); // "\\x20notes\\\\draft.txt"
 * ```
 */
export function escapeName(name: string): string {
  const chars = [...name];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    const atEnd = i === 0 || i === chars.length - 1;
    out += ALWAYS.test(char) || (atEnd && SPACE.test(char))
      ? escapeChar(char)
      : char;
  }
  return out;
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const BRACED = /^\{([0-9a-fA-F]{1,6})\}/;

/**
 * Reads a name as `list` shows it: `\\`, `\n`, `\r`, `\t`, `\xHH` and
 * `\u{H…}` stand for the character they name; any other character stands
 * for itself.
 *
 * @returns the name, or `null` when a backslash starts no known escape.
 */
export function unescapeName(text: string): string | null {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = text[++i];
    if (next === "\\") out += "\\";
    else if (next === "n") out += "\n";
    else if (next === "r") out += "\r";
    else if (next === "t") out += "\t";
    else if (next === "x" && HEX2.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (next === "u") {
      const match = BRACED.exec(text.slice(i + 1));
      const code = match ? parseInt(match[1], 16) : NaN;
      if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        return null;
      }
      out += String.fromCodePoint(code);
      i += match![0].length;
    } else {
      return null;
    }
  }
  return out;
}

/** Whether `name` is longer than any file system stores. */
export function isNameTooLong(name: string): boolean {
  // Most names are short: skip the encoding for them.
  return name.length * 3 > MAX_NAME_BYTES &&
    encoder.encode(name).length > MAX_NAME_BYTES;
}
