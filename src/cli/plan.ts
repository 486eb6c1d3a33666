import { capacityOf, globMatch, scopeIncludes, type Scope } from '../scope/scope.js';
import { UsageError, checkEnum } from '../errors.js';
import {
  groupPlansText,
  initialSyncText,
  planJson,
  planTable,
  sweepTable,
  type GroupPlanView,
} from '../render/planning.js';
import { monthlyCost, type LinkPrices } from '../report/cost.js';
import { planInitialSync, type SyncVolume } from '../report/initial-sync.js';
import { PLAN_GRID_CYCLES, planLink, type PlanResult } from '../report/plan.js';
import { sweep, sweepLinks } from '../report/sweep.js';
import type { CycleChanges } from '../report/changes.js';
import { openChanges } from '../report/streamed-changes.js';
import type { Store } from '../store/store.js';
import { parseBandwidthBps } from '../units/bandwidth.js';
import { parseBytes } from '../units/bytes.js';
import { parseDurationS } from '../units/duration.js';
import { parseTimeRange } from '../units/time.js';
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
  PERCENTILE_HELP,
  PLANNING_FLAGS,
  PLANNING_PARAM_FLAGS,
  withGrowth,
} from './planning-options.js';
import { measuredFromFlags, measuredJson } from './measured-compression.js';
import { emit } from './report.js';
import { cellSourceFor, openCollectedStore, scopeFor, SELECTION_FLAGS, SELECTION_HELP } from './store-access.js';

export const PLAN_HELP = `usage: churnlink plan --rpo DUR [options]

Find the smallest link that keeps the simulated asynchronous RPO at or under a target for a given
share of the time, and the number of paths to buy. The bandwidth is searched on a 1.09 % grid and
bisected, rounded up to the figure printed, and that figure is checked by simulation.

options:
  --rpo DUR             RPO target, e.g. 5m (required)
${PERCENTILE_HELP}
  --path BW             one path's bandwidth (100Mbit, T3, OC3, 1GbE, ...): gives the number of paths
  --cycle DUR           capture cycle, a multiple of the collection interval (default: the interval)
  --sweep               what if: RPO p50/p95/p99/max, time over target, violations, backlog (and
                        cost) for 0.5x .. 4x the planned bandwidth, or 1 .. K paths with --path
                        (K = 4 x the planned paths, at least 4, at most 64)
  --by group            one link per group of the scope, their sum, and one shared link for all
  --initial-sync        time to copy each volume's used bytes (and all of them) over the planned link
  --used SIZE           used bytes of every volume, or GLOB=SIZE for matching volumes (repeatable;
                        default: the capacities of the scope or the store)
  --sync-window DUR     with --initial-sync: batches of volumes (biggest first) each finishing within DUR
  --price-per-path AMT  monthly price of one path (needs --path): monthly cost of the plan and sweep
  --price-per-mbit AMT  monthly price per Mbit/s of bandwidth (added to the per-path price)
${SELECTION_HELP}
${LINK_PARAM_HELP}
${GROWTH_HELP}
${MEMORY_HELP}
  --format FMT          table | json (default table)
  -o, --output FILE     write to FILE instead of stdout
`;

const PLAN_FLAGS = {
  ...SELECTION_FLAGS,
  ...PLANNING_FLAGS,
  ...MEMORY_FLAG,
  ...LINK_PARAM_FLAGS,
  rpo: { type: 'string' },
  percentile: { type: 'string', default: '99' },
  path: { type: 'string' },
  cycle: { type: 'string' },
  sweep: { type: 'boolean', default: false },
  by: { type: 'string' },
  'initial-sync': { type: 'boolean', default: false },
  used: { type: 'string', multiple: true },
  'sync-window': { type: 'string' },
  'price-per-path': { type: 'string' },
  'price-per-mbit': { type: 'string' },
} as const;

/** `churnlink plan`. */
export async function runPlan(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, PLAN_FLAGS);
  if (values.help) {
    io.out(PLAN_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.rpo === undefined) throw new UsageError('--rpo is required (e.g. --rpo 5m)');
  const targetRpoS = parseDurationS(values.rpo, '--rpo');
  const percentile = parsePercentile(values.percentile!);
  const pathBps = values.path === undefined ? null : parseBandwidthBps(values.path, '--path');
  const measured = await measuredFromFlags('plan', values, linkParamsOf(values));
  const params = withGrowth(measured?.params ?? linkParamsOf(values), values.growth);
  const format = checkEnum('--format', values.format!, ['table', 'json'] as const);
  const by = values.by === undefined ? null : checkEnum('--by', values.by, ['group'] as const);
  const excluded = values.exclude ?? [];
  const prices: LinkPrices = {
    perPath: priceOf(values['price-per-path'], '--price-per-path'),
    perMbit: priceOf(values['price-per-mbit'], '--price-per-mbit'),
  };
  if (prices.perPath !== null && pathBps === null) {
    throw new UsageError('--price-per-path needs --path (the bandwidth of one path)');
  }
  const syncWindowText = values['sync-window'];
  const syncWindowS = syncWindowText === undefined ? null : parseDurationS(syncWindowText, '--sync-window');
  if (syncWindowS !== null && !values['initial-sync']) throw new UsageError('--sync-window needs --initial-sync');
  if (values.used !== undefined && !values['initial-sync']) throw new UsageError('--used needs --initial-sync');
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const budgetBytes = memoryBudgetOf(values['memory-budget']);

  const { store, settings } = await openCollectedStore('plan', values.store!);
  const opened: CycleChanges[] = [];
  try {
    const scope = await scopeFor(store, values.scope);
    const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
    const timelineFor = async (group: string | null): Promise<CycleChanges> => {
      const changes = await openChanges(
        await cellSourceFor(store, scope, group, excluded),
        settings,
        range,
        measured?.ratioAt ?? null,
        budgetBytes,
        cycleS * PLAN_GRID_CYCLES,
      );
      opened.push(changes);
      return changes;
    };
    const simulation = { cycleS, params, outages: [] };
    const planOf = (timeline: CycleChanges): Promise<PlanResult> =>
      planLink(timeline, { targetRpoS, percentile, pathBps, simulation });
    return await inFlagTerms(PLANNING_PARAM_FLAGS, async () => {
      const timeline = await timelineFor(values.group ?? null);
      const plan = await planOf(timeline);
      const view = { plan, pathBps, targetS: targetRpoS, percentile, cycleS, timeline, params, excluded };
      const json: Record<string, unknown> = { ...planJson(view), ...measuredJson(measured) };
      const cost = monthlyCost(prices, plan.linkBps, plan.paths);
      json.monthlyCost = cost;
      const parts = [planTable(view) + (measured ? `${measured.assumption}\n` : '')];
      if (cost !== null) parts.push(`monthly cost of that link: ${cost.toFixed(2)}\n`);
      if (values.sweep) {
        const links = sweepLinks(plan.linkBps, pathBps, plan.paths);
        const rows = await sweep(timeline, links, { targetS: targetRpoS, percentile, simulation, prices });
        json.sweep = rows;
        parts.push(sweepTable(rows, targetRpoS, percentile));
      }
      if (by === 'group') {
        if (scope.groups.length === 0) throw new UsageError('--by group: the scope declares no groups');
        const groups: GroupPlanView[] = [];
        for (const g of scope.groups) groups.push({ name: g.name, plan: await planOf(await timelineFor(g.name)) });
        const shared = values.group === undefined ? plan : await planOf(await timelineFor(null));
        const sumBps = groups.reduce((n, g) => n + g.plan.linkBps, 0);
        json.groups = groups.map(({ name, plan: p }) => ({
          group: name,
          requiredBps: p.requiredBps,
          paths: p.paths,
          linkBps: p.linkBps,
          achievedRpoS: p.achievedRpoS,
          peakBacklogBytes: p.result.peakBacklogBytes,
          monthlyCost: monthlyCost(prices, p.linkBps, p.paths),
        }));
        json.groupsTotalBps = sumBps;
        json.shared = { linkBps: shared.linkBps, paths: shared.paths, sharedNeedsLess: shared.linkBps < sumBps };
        parts.push(groupPlansText(groups, shared, pathBps));
      }
      if (values['initial-sync']) {
        const volumes = await syncVolumes(store, scope, values.group ?? null, excluded, values.used ?? []);
        const sync = planInitialSync(volumes, plan.linkBps, params, syncWindowS);
        json.initialSync = sync;
        parts.push(initialSyncText(sync, plan.linkBps));
      }
      await emit(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : parts.join('\n'), values.output, io);
      return 0;
    });
  } finally {
    for (const c of opened) await c.close();
    await store.close();
  }
}

function priceOf(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0)) {
    throw new UsageError(`${flag} must be a non-negative amount per month (e.g. 450 or 12.5); got "${text}"`);
  }
  return value;
}

/**
 * The volumes of the selection with the bytes an initial copy moves: `--used SIZE` for all,
 * `--used GLOB=SIZE` for matching ones (the last match wins), else the capacity from the scope
 * or the store.
 */
async function syncVolumes(
  store: Store,
  scope: Scope,
  group: string | null,
  excluded: string[],
  used: string[],
): Promise<SyncVolume[]> {
  const members = group === null ? null : (scope.groups.find((g) => g.name === group)?.volumes ?? []);
  const rules = used.map((u) => {
    const eq = u.lastIndexOf('=');
    if (eq < 0) return { glob: '*', bytes: parseBytes(u, '--used') };
    return { glob: u.slice(0, eq), bytes: parseBytes(u.slice(eq + 1), '--used') };
  });
  const volumes: SyncVolume[] = [];
  const unknown: string[] = [];
  for (const v of await store.listVolumes()) {
    if (!scopeIncludes(scope, v.name) || excluded.some((p) => globMatch(p, v.name))) continue;
    if (members !== null && !members.some((p) => globMatch(p, v.name))) continue;
    let bytes: number | null = null;
    for (const r of rules) if (globMatch(r.glob, v.name)) bytes = r.bytes;
    bytes ??= capacityOf(scope, v.name) ?? v.capacityBytes;
    if (bytes === null) unknown.push(v.name);
    else volumes.push({ name: v.name, usedBytes: bytes });
  }
  if (unknown.length > 0) {
    const names = unknown.join(', ');
    throw new UsageError(`--initial-sync: no size known for ${names}: give --used SIZE or --used GLOB=SIZE`);
  }
  return volumes;
}
