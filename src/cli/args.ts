import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { storePathProblem } from '../store/store-path.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & HelpOption; allowPositionals: true; strict: true }>
>;

/**
 * Parse a command's flags strictly; unknown flags and missing values become UsageErrors, and so
 * does a `--store` naming a directory, a FIFO, a socket or a device, or ending in / without
 * naming a directory (SQLite would say only "disk I/O error", block on a FIFO, or create `x` for `x/`).
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    const help: HelpOption = { help: { type: 'boolean', short: 'h' } };
    parsed = parseArgs({
      args: argv,
      options: { ...options, ...help },
      allowPositionals: true,
      strict: true,
    }) as Parsed<O>;
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message.replace(/\. To specify a positional.*$/s, '')} (see churnlink ${command} --help)`,
      { cause: err },
    );
  }
  const values = parsed.values as { store?: unknown; help?: unknown };
  if (typeof values.store === 'string' && values.help !== true) refuseUnfitStore(values.store);
  return parsed;
}

/** A SQLite `--store` must name a regular file (new or existing). */
function refuseUnfitStore(spec: string): void {
  if (/^postgres(ql)?:\/\//i.test(spec)) return; // as isPostgresUrl (store/open.ts loads SQLite)
  const problem = storePathProblem(spec);
  if (problem !== null) throw new UsageError(`--store ${spec} ${problem}`);
}

/** A fraction given as `0.1` or `10%`. */
export function parseFraction(text: string, what: string, { min, max }: { min: number; max: number }): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(
      `${what} must be between ${min} and ${max} (a fraction like 0.1 or a percentage like 10%); got "${text}"`,
    );
  return value;
}

/** A positive ratio such as `2` or `2:1`. */
export function parseRatio(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?::\s*1)?\s*$/.exec(text);
  const value = m ? Number(m[1]) : NaN;
  if (!(value >= 1)) throw new UsageError(`${what} must be a ratio of at least 1 (e.g. 2 or 2:1); got "${text}"`);
  return value;
}

/** `--threads N|auto`: a whole number from 1 to 256, or auto (the default). */
export function parseThreads(text: string | undefined): number | 'auto' {
  if (text === undefined || text === 'auto') return 'auto';
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 256)
    throw new UsageError(`--threads must be auto or a whole number from 1 to 256; got "${text}"`);
  return n;
}
