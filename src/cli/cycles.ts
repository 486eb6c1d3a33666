import { UsageError, checkEnum } from '../errors.js';
import { cycleLengthTableText } from '../render/planning.js';
import { cycleLengthTable } from '../report/cycle-length.js';
import { parseDurationS } from '../units/duration.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';
import { LINK_PARAM_FLAGS, LINK_PARAM_HELP, linkParamsOf } from './link-options.js';
import {
  GROWTH_HELP,
  inFlagTerms,
  MEMORY_FLAG,
  MEMORY_HELP,
  memoryBudgetOf,
  PLANNING_FLAGS,
  PLANNING_PARAM_FLAGS,
  withGrowth,
} from './planning-options.js';
import { emit } from './report.js';
import { SELECTION_FLAGS, SELECTION_HELP, withChanges } from './store-access.js';

export const CYCLES_HELP = `usage: churnlink cycles [--max DUR] [options]

Choose the cycle length: for cycles of 1, 2, 3 ... x the collection interval up to --max, the
changed bytes per cycle (peak and p95 over the window's cycles, tumbling from its start; each
cycle ships the OR of its intervals), the bandwidth that ships the peak within one cycle, and the
written/shipped fold ratio. Longer cycles fold rewrites: the bytes to ship grow slower than the cycle.

options:
  --max DUR             longest cycle, a multiple of the interval (default 1h)
${SELECTION_HELP}
${LINK_PARAM_HELP}
${GROWTH_HELP}
${MEMORY_HELP}
  --format FMT          table | json (default table)
  -o, --output FILE     write to FILE instead of stdout
`;

/** `churnlink cycles`: the cycle-length table. */
export async function runCycles(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('cycles', argv, {
    ...SELECTION_FLAGS,
    ...PLANNING_FLAGS,
    ...MEMORY_FLAG,
    ...LINK_PARAM_FLAGS,
    max: { type: 'string', default: '1h' },
  });
  if (values.help) {
    io.out(CYCLES_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const maxCycleS = parseDurationS(values.max!, '--max');
  const params = withGrowth(linkParamsOf(values), values.growth);
  const format = checkEnum('--format', values.format!, ['table', 'json'] as const);
  return withChanges(
    'cycles',
    values,
    (timeline) =>
      inFlagTerms(PLANNING_PARAM_FLAGS, async () => {
        const rows = await cycleLengthTable(timeline, maxCycleS, params);
        const text =
          format === 'json'
            ? `${JSON.stringify(rows, null, 2)}\n`
            : cycleLengthTableText(rows, timeline, params, values.exclude ?? []);
        await emit(text, values.output, io);
        return 0;
      }),
    null,
    memoryBudgetOf(values['memory-budget']),
    (settings) => Math.floor(maxCycleS / settings.intervalS) * settings.intervalS,
  );
}
