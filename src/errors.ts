/**
 * Error types the CLI branches on. Both map to exit code 2: the user gave something we cannot use
 * (a malformed trace, a flag out of range). Everything else is a bug or an environment failure
 * and exits 1.
 */

/** Bad input data: names the file, the line (or byte offset) and the field. */
export class InputError extends Error {
  override name = 'InputError';
  /** The 1-based line the message names, for text formats (lets a split file renumber it). */
  readonly line: number | undefined;

  constructor(message: string, options?: { cause?: unknown; line?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.line = options?.line;
  }
}

/** Bad command-line usage or configuration (flags, scope file, store settings). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Check that `value` is one of `allowed`; the message lists the allowed values. */
export function checkEnum<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${what} must be one of ${allowed.join(', ')}; got "${value}"`);
}
