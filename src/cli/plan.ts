import { UsageError, checkEnum } from '../errors.js';
import { planTable } from '../render/planning.js';
import { planLink } from '../report/plan.js';
import { parseBandwidthBps } from '../units/bandwidth.js';
import { parseDurationS } from '../units/duration.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';
import { LINK_PARAM_FLAGS, LINK_PARAM_HELP, linkParamsOf } from './link-options.js';
import { measuredFromFlags, measuredJson } from './measured-compression.js';
import { emit } from './report.js';
import { SELECTION_FLAGS, SELECTION_HELP, withTimeline } from './store-access.js';

export const PLAN_HELP = `usage: churnlink plan --rpo DUR [options]

Find the smallest link that keeps the simulated asynchronous RPO at or under a target for a given
share of the time, and the number of paths to buy.

options:
  --rpo DUR             RPO target, e.g. 5m (required)
  --percentile P        50 | 95 | 99 | 100 (default 99)
  --path BW             one path's bandwidth (100Mbit, T3, OC3, 1GbE, ...): gives the number of paths
  --cycle DUR           capture cycle, a multiple of the collection interval (default: the interval)
${SELECTION_HELP}
${LINK_PARAM_HELP}
  --format FMT          table | json (default table)
  -o, --output FILE     write to FILE instead of stdout
`;

/** `churnlink plan`. */
export async function runPlan(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, {
    ...SELECTION_FLAGS,
    rpo: { type: 'string' },
    percentile: { type: 'string', default: '99' },
    path: { type: 'string' },
    cycle: { type: 'string' },
    ...LINK_PARAM_FLAGS,
  });
  if (values.help) {
    io.out(PLAN_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`plan: unexpected argument "${positionals[0]}"`);
  if (values.rpo === undefined) throw new UsageError('plan: --rpo is required (e.g. --rpo 5m)');
  const targetRpoS = parseDurationS(values.rpo, '--rpo');
  const percentile = Number(checkEnum('--percentile', values.percentile!, ['50', '95', '99', '100'] as const)) as 50 | 95 | 99 | 100;
  const pathBps = values.path === undefined ? null : parseBandwidthBps(values.path, '--path');
  const measured = await measuredFromFlags('plan', values, linkParamsOf(values));
  const params = measured?.params ?? linkParamsOf(values);
  const format = checkEnum('--format', values.format!, ['table', 'json'] as const);
  return withTimeline('plan', values, async (timeline, settings) => {
    const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
    const plan = planLink(timeline, { targetRpoS, percentile, pathBps, simulation: { cycleS, params, outages: [] } });
    const text = format === 'json'
      ? `${JSON.stringify({ targetRpoS, percentile, cycleS, pathBps, requiredBps: plan.requiredBps, paths: plan.paths, linkBps: plan.linkBps, achievedRpoS: plan.achievedRpoS, marginS: plan.marginS, rpo: plan.result.rpo, elongatedCycles: plan.result.elongatedCycles,
          ...measuredJson(measured) }, null, 2)}\n`
      : planTable(plan, pathBps, targetRpoS, percentile, cycleS, timeline, params)
        + (measured ? `${measured.assumption}\n` : '');
    await emit(text, values.output, io);
    return 0;
  });
}
