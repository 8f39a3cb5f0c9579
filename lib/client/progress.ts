/**
 * The download progress bar: one line redrawn in place on a terminal.
 *
 * @module
 */

import { type Clock, formatBytes, formatDuration } from "../common/mod.ts";

const BAR_WIDTH = 24;
const REDRAW_EVERY_MS = 100;
const CLEAR_LINE = "\r\x1b[2K";

/**
 * Renders one progress line: name, bar, percent, bytes, rate and the time
 * left at that rate.
 *
 * @example Usage
 * ```ts
 * import { renderProgress } from "./progress.ts";
 *
 * renderProgress("a.bin", 512, 1024, 1000);
 * // "a.bin [############------------]  50%  512 B / 1 KiB  512 B/s  1.0 s left"
 * ```
 */
export function renderProgress(
  name: string,
  received: number,
  total: number,
  elapsedMs: number,
): string {
  const fraction = total === 0 ? 1 : received / total;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = elapsedMs > 0 ? received / (elapsedMs / 1000) : 0;
  const sizes = `${formatBytes(received)} / ${formatBytes(total)}`;
  // Time left at the rate so far, once there is a rate to go by.
  const eta = rate > 0 && received < total
    ? `  ${formatDuration(((total - received) / rate) * 1000)} left`
    : "";
  return `${name} [${bar}] ${percent}  ${sizes}  ${
    formatBytes(Math.round(rate))
  }/s${eta}`;
}

/** The width of the terminal on stderr, where the bar is drawn; 80 if unknown. */
export function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/**
 * Cuts `line` to fit in `columns` with room for the cursor: a line that
 * wraps could not be redrawn in place.
 */
export function fitLine(line: string, columns: number): string {
  const chars = [...line];
  return chars.length < columns ? line : chars.slice(0, columns - 1).join("");
}

/** Where a {@linkcode ProgressBar} draws, and its clock. */
export interface ProgressBarOptions {
  /** Writes the text of a redraw. */
  write: (text: string) => void;
  /** Where the time comes from. */
  clock: Clock;
  /**
   * The width to fit, asked at each redraw (the terminal may be resized).
   * Default: the terminal's, on stderr.
   */
  columns?: () => number;
}

/** Redraws a progress line at most ten times a second. */
export class ProgressBar {
  readonly #name: string;
  readonly #write: (text: string) => void;
  readonly #clock: Clock;
  readonly #columns: () => number;
  readonly #started: number;
  #lastDraw = -Infinity;
  #drawn = false;

  /** Creates a bar for `name`. */
  constructor(name: string, options: ProgressBarOptions) {
    this.#name = name;
    this.#write = options.write;
    this.#clock = options.clock;
    this.#columns = options.columns ?? terminalColumns;
    this.#started = this.#clock.now();
  }

  /** Shows the new count if the last redraw is old enough, or at the end. */
  update(received: number, total: number): void {
    const now = this.#clock.now();
    if (received < total && now - this.#lastDraw < REDRAW_EVERY_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#write(
      CLEAR_LINE +
        fitLine(
          renderProgress(this.#name, received, total, now - this.#started),
          this.#columns(),
        ),
    );
  }

  /** Erases the bar so the summary line can take its place. */
  clear(): void {
    if (this.#drawn) this.#write(CLEAR_LINE);
  }
}
