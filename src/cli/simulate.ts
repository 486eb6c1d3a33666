import { UsageError, checkEnum } from '../errors.js';
import { simulationCsv, simulationJson, simulationTable } from '../render/planning.js';
import { outageReport } from '../report/outage.js';
import { simulate } from '../report/simulate.js';
import { parseLink } from '../units/bandwidth.js';
import { parseDurationS } from '../units/duration.js';
import { isoFromS, parseTimeRange } from '../units/time.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';
import { LINK_PARAM_FLAGS, LINK_PARAM_HELP, linkParamsOf } from './link-options.js';
import {
  GROWTH_HELP,
  inFlagTerms,
  MEMORY_FLAG,
  MEMORY_HELP,
  memoryBudgetOf,
  parsePercentile,
  parsePositiveDurationS,
  PERCENTILE_HELP,
  PLANNING_FLAGS,
  PLANNING_PARAM_FLAGS,
  withGrowth,
} from './planning-options.js';
import { measuredFromFlags, measuredJson } from './measured-compression.js';
import { emit } from './report.js';
import { SELECTION_FLAGS, SELECTION_HELP, withChanges } from './store-access.js';

export const SIMULATE_HELP = `usage: churnlink simulate --link NxBW [options]

Simulate cycle-based asynchronous replication of the collected changes over a link: RPO over
time (p50/p95/p99/max), cycles that elongated, time above a target, the peak backlog, and outages
with resync. RPO is counted every second from the window start until the last captured change is
applied (after the window's end when the link is still busy then).

options:
  --link NxBW           the link, e.g. 2x100Mbit or 1GbE (required)
  --cycle DUR           capture cycle, a multiple of the collection interval (default: the interval)
  --target DUR          RPO target for "time above target" and outage recovery (default: 2 cycles)
${PERCENTILE_HELP.replace(' (default 99)', ' (shown besides p50/p95/p99/max)')}
  --outage RANGE        the link is down START/END or START/DURATION (repeatable)
${SELECTION_HELP}
${LINK_PARAM_HELP}
${GROWTH_HELP}
${MEMORY_HELP}
  --format FMT          table | json | csv (csv: max RPO per interval) (default table)
  -o, --output FILE     write to FILE instead of stdout
`;

/** `churnlink simulate`. */
export async function runSimulate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('simulate', argv, {
    ...SELECTION_FLAGS,
    ...PLANNING_FLAGS,
    ...MEMORY_FLAG,
    link: { type: 'string' },
    cycle: { type: 'string' },
    target: { type: 'string' },
    percentile: { type: 'string' },
    outage: { type: 'string', multiple: true },
    ...LINK_PARAM_FLAGS,
  });
  if (values.help) {
    io.out(SIMULATE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.link === undefined) throw new UsageError('--link is required (e.g. --link 2x100Mbit)');
  const link = parseLink(values.link);
  const measured = await measuredFromFlags('simulate', values, linkParamsOf(values));
  const params = withGrowth(measured?.params ?? linkParamsOf(values), values.growth);
  const percentile = values.percentile === undefined ? null : parsePercentile(values.percentile);
  const format = checkEnum('--format', values.format!, ['table', 'json', 'csv'] as const);
  const outages = (values.outage ?? []).map((o) => parseTimeRange(o, '--outage'));
  const excluded = values.exclude ?? [];
  return withChanges(
    'simulate',
    values,
    (timeline, settings) =>
      inFlagTerms(PLANNING_PARAM_FLAGS, async () => {
        const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
        const targetS = values.target === undefined ? 2 * cycleS : parsePositiveDurationS(values.target, '--target');
        const result = await simulate(timeline, {
          cycleS,
          linkBps: link.paths * link.pathBps,
          params,
          outages,
          targetS,
        });
        // An outage before the data or after the last change is applied cannot change anything.
        for (const o of outages) {
          if (o.toS <= timeline.firstS || o.fromS >= Math.max(timeline.endS, result.drainedS)) {
            io.err(
              `warning: --outage ${isoFromS(o.fromS)} to ${isoFromS(o.toS)} is outside the data window ` +
                `${isoFromS(timeline.firstS)} to ${isoFromS(timeline.endS)}: it changes nothing\n`,
            );
          }
        }
        const reports = [];
        for (const o of outages) reports.push(await outageReport(o, timeline, result, targetS)); // one read at a time
        const view = { link, cycleS, targetS, percentile, excluded, params, timeline, result, outages: reports };
        const json = { ...simulationJson(view), ...measuredJson(measured) };
        const text =
          format === 'json'
            ? `${JSON.stringify(json, null, 2)}\n`
            : format === 'csv'
              ? simulationCsv(view)
              : simulationTable(view) + (measured ? `${measured.assumption}\n` : '');
        await emit(text, values.output, io);
        return 0;
      }),
    measured?.ratioAt ?? null,
    memoryBudgetOf(values['memory-budget']),
    // The cycles' runs are counted in the pass that opens the window (a bad --cycle: reported later).
    (settings) => {
      try {
        return values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
      } catch {
        return null;
      }
    },
  );
}
