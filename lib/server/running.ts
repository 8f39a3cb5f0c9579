/**
 * A count of what is under way (the sessions of a server), that a
 * shutdown can wait on without a promise or closure for each.
 *
 * @module
 */

/** Counts what is under way; {@linkcode none} resolves once nothing is. */
export class RunningCount {
  #count = 0;
  #none: PromiseWithResolvers<void> | null = null;

  /** How many are under way. */
  get size(): number {
    return this.#count;
  }

  /** One more is under way. */
  add(): void {
    this.#count++;
  }

  /** One has ended. */
  done(): void {
    if (--this.#count > 0) return;
    this.#none?.resolve();
    this.#none = null;
  }

  /** Resolves once none is under way. */
  none(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return (this.#none ??= Promise.withResolvers()).promise;
  }
}
