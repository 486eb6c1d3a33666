/**
 * One deduplicating warning sink. The library never prints: it records a warning under a key,
 * repeats only bump the count, and the CLI decides how to show them at the end of a run.
 */
export interface Warning {
  key: string;
  message: string; // the first occurrence's message
  count: number;
}

export class Warnings {
  readonly #byKey = new Map<string, Warning>();

  warn(key: string, message: string): void {
    const seen = this.#byKey.get(key);
    if (seen) seen.count++;
    else this.#byKey.set(key, { key, message, count: 1 });
  }

  /** Merge a warning counted elsewhere (another thread). */
  add(w: Warning): void {
    const seen = this.#byKey.get(w.key);
    if (seen) seen.count += w.count;
    else this.#byKey.set(w.key, { ...w });
  }

  list(): Warning[] {
    return [...this.#byKey.values()];
  }
}
