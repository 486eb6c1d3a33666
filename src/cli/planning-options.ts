import { TIMELINE_BUDGET_BYTES } from '../report/streamed-changes.js';
import { parseBytes } from '../units/bytes.js';
import { UsageError } from '../errors.js';
import type { LinkParams } from '../report/link.js';
import { parseDurationS } from '../units/duration.js';
import { parseFraction } from './args.js';

/** Flags shared by the planning commands (plan, simulate, cycles). */
export const PLANNING_FLAGS = {
  growth: { type: 'string' },
} as const;

/** How much of the window simulate, plan and cycles may hold in memory (the rest is streamed). */
export const MEMORY_FLAG = { 'memory-budget': { type: 'string' } } as const;

export const MEMORY_HELP = `  --memory-budget SIZE  hold the window's cells in memory when they take at most SIZE
                        (packed; faster for plan's many simulations), else read them from the
                        store per cycle; 0 always streams (default 128MiB)`;

/** `--memory-budget SIZE` in bytes, or the default. */
export function memoryBudgetOf(text: string | undefined): number {
  return text === undefined ? TIMELINE_BUDGET_BYTES : parseBytes(text, '--memory-budget');
}

export const GROWTH_HELP = `  --growth G            expected growth of the changes, 0.3 or 30%: scales changed and
                        written bytes before every link figure (default 0)`;

export const PERCENTILE_HELP =
  '  --percentile P        RPO met P % of the time: any number in (0, 100], ' +
  '100 = the maximum\n' +
  '                        (default 99)';

/** `--percentile P`: any number in (0, 100]. */
export function parsePercentile(text: string): number {
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && value <= 100)) {
    throw new UsageError(`--percentile must be a number in (0, 100] (e.g. 50, 99, 99.9, 100); got "${text}"`);
  }
  return value;
}

/** A duration flag that must be above 0, such as `--target`. */
export function parsePositiveDurationS(text: string, flag: string): number {
  const seconds = parseDurationS(text, flag);
  if (!(seconds > 0)) throw new UsageError(`${flag} must be a duration above 0 (e.g. 30s, 5m, 1h); got "${text}"`);
  return seconds;
}

/** Link parameters with `--growth` added. */
export function withGrowth(params: LinkParams, growth: string | undefined): LinkParams {
  return growth === undefined ? params : { ...params, growth: parseFraction(growth, '--growth', { min: 0, max: 10 }) };
}

/**
 * Run library work and speak of flags in its usage errors: the library names its parameters
 * (`cycleS`), the user typed flags (`--cycle`).
 */
export async function inFlagTerms<T>(flags: Record<string, string>, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(flagTerms(flags, err.message), { cause: err });
  }
}

/** A library message with its parameter names replaced by the flags that set them. */
export function flagTerms(flags: Record<string, string>, message: string): string {
  let out = message;
  for (const [param, flag] of Object.entries(flags)) out = out.replace(new RegExp(`\\b${param}\\b`, 'g'), flag);
  return out;
}

/** Parameter names of the planning library and the flags that set them. */
export const PLANNING_PARAM_FLAGS: Record<string, string> = {
  cycleS: '--cycle',
  targetRpoS: '--rpo',
  linkBps: '--link',
  syncWindowS: '--sync-window',
  maxCycleS: '--max',
};
