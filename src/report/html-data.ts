import type { Headline } from './headline.js';
import {
  computeChurn,
  planChurn,
  streamChurn,
  UNGROUPED,
  type ChurnContext,
  type ChurnPlan,
  type ChurnRow,
} from './churn.js';
import { groupsOfVolume } from '../scope/scope.js';
import { chartSeries, CHART_POINTS } from './downsample.js';
import { cycleLengthTable, type CycleLengthRow } from './cycle-length.js';
import type { LinkParams } from './link.js';
import { volumesInSeveralGroups, type SharedVolume } from './group-total.js';
import type { ModelRow } from './models.js';
import { scanModels } from './model-scan.js';
import { selectedWindow } from './selection.js';
import { openChanges } from './streamed-changes.js';
import { rpoPerInterval, simulate } from './simulate.js';
import type { SizingRequest } from './sizing.js';
import { sweep, sweepLinks, type SweepRow } from './sweep.js';
import type { CellSource } from './cells.js';
import type { StoreSettings } from '../store/store.js';
import type { Link } from '../units/bandwidth.js';
import type { TimeRange } from '../units/time.js';

/** What the HTML report shows of the planner: cycle-length chart, what-if curve, backlog. */
export interface PlanningHtml {
  cycles: CycleLengthRow[];
  /** The sweep around the simulated link (0.5x .. 4x), when a link was given. */
  sweep: SweepRow[] | null;
  targetS: number;
  /** Peak backlog on the simulated link, when a link was given. */
  peakBacklogBytes: number | null;
}

/** Everything the HTML report shows, computed beforehand (pure data). */
export interface HtmlReportData {
  title: string;
  store: string;
  /** The one group reported (its volumes only); absent or null: every group. */
  group?: string | null;
  intervalS: number;
  trackBytes: number;
  window: { startS: number; endS: number };
  params: LinkParams;
  /** Per chart point and group: the maximum of the point's intervals (report/downsample.ts). */
  groupSeries: ChurnRow[];
  /** Volumes in more than one group: the stacked group charts count them in each; absent: none. */
  sharedVolumes?: SharedVolume[];
  /** Seconds per chart point (a whole number of intervals); absent: one interval. */
  chartStepS?: number;
  /** Whole-window rows per volume. */
  volumes: ChurnRow[];
  /** Whole-window changed bytes of all volumes (sum of their ORs). */
  totalChangedBytes: number;
  models: ModelRow[];
  rpo: {
    link: Link;
    cycleS: number;
    targetS: number;
    perInterval: { startS: number; endS: number; maxRpoS: number }[];
    p99S: number;
    maxS: number;
  } | null;
  /** Cycle-length chart, what-if curve and backlog (render/planning.ts). */
  planning?: PlanningHtml;
  /** Volumes left out (exclude globs), for the assumptions line. */
  excluded?: readonly string[];
  /** The answer the page leads with (report/headline.ts); absent: none. */
  headline?: Headline[];
}

/** What `htmlData` computes the report from; the spans are resolved (no defaults left). */
export interface HtmlDataRequest {
  settings: StoreSettings;
  ctx: ChurnContext;
  range: TimeRange | null;
  sizing: SizingRequest;
  /** Async cycle of the RPO simulation and of the asynchronous model. */
  cycleS: number;
  /** Period of the periodic model. */
  periodS: number;
  /** RPO target line. */
  targetS: number;
  /** Volumes left out (exclude globs), named in the assumptions line. */
  excluded: readonly string[];
  /** Where the store is, as the report names it. */
  store: string;
  /** The one group selected (the source holds its volumes only); absent or null: every group. */
  group?: string | null;
}

/** The groups the charts stack: the one selected, or those with a selected volume (or ungrouped ones). */
function shownGroups(plan: ChurnPlan, group: string | null): Set<string> {
  if (group !== null) return new Set([group]);
  const names = plan.volumes.flatMap((v) => {
    const groups = groupsOfVolume(plan.ctx.scope, v.volume);
    return groups.length === 0 ? [UNGROUPED] : groups;
  });
  return new Set(names);
}

/** Everything the HTML report and its charts show. */
export async function htmlData(source: CellSource, request: HtmlDataRequest): Promise<HtmlReportData> {
  const { settings, ctx, range, sizing, cycleS, targetS } = request;
  const { window: selected, volumes: spans } = await selectedWindow(source, settings, range);
  const firstS = Math.floor(selected.fromS / settings.intervalS) * settings.intervalS;
  const endS = Math.ceil(selected.toS / settings.intervalS) * settings.intervalS;
  const volumes = await computeChurn(source, { by: 'volume', per: null, range, datasets: null }, ctx);
  const groups = await planChurn(source, { by: 'group', per: 'interval', range, datasets: null, sparse: true }, ctx);
  const series = await chartSeries(streamChurn(source, groups), firstS, endS, settings.intervalS, CHART_POINTS);
  const group = request.group ?? null;
  const shown = shownGroups(groups, group);
  let rpo: HtmlReportData['rpo'] = null;
  // The cycle-length chart and the RPO simulation read the planning view (held within its budget, else streamed).
  const timeline = await openChanges(source, settings, range);
  const planning: PlanningHtml = { cycles: [], sweep: null, targetS, peakBacklogBytes: null };
  try {
    planning.cycles = await cycleLengthTable(timeline, Math.max(3600, settings.intervalS), sizing.params);
    if (sizing.link !== null) {
      const linkBps = sizing.link.paths * sizing.link.pathBps;
      const result = await simulate(timeline, { cycleS, linkBps, params: sizing.params, outages: [], targetS });
      rpo = {
        link: sizing.link,
        cycleS,
        targetS,
        perInterval: rpoPerInterval(result, settings.intervalS),
        p99S: result.rpo.p99S,
        maxS: result.rpo.maxS,
      };
      planning.peakBacklogBytes = result.peakBacklogBytes;
      const links = sweepLinks(linkBps, null, null);
      const simulation = { cycleS, params: sizing.params, outages: [] };
      const prices = { perPath: null, perMbit: null };
      planning.sweep = await sweep(timeline, links, { targetS, percentile: 99, simulation, prices });
    }
  } finally {
    await timeline.close();
  }
  return {
    title: `churnlink: write churn and replication link report${group === null ? '' : `, group ${group}`}`,
    store: request.store,
    group,
    intervalS: settings.intervalS,
    trackBytes: settings.trackBytes,
    window: { startS: firstS, endS },
    params: sizing.params,
    groupSeries: series.rows.filter((r) => shown.has(r.name)),
    chartStepS: series.stepS,
    // One group stacked counts each of its volumes once.
    sharedVolumes: group === null ? volumesInSeveralGroups(groups) : [],
    volumes,
    totalChangedBytes: volumes.reduce((n, v) => n + v.changedBytes, 0),
    planning,
    excluded: request.excluded,
    models: await scanModels(source, spans, {
      intervalS: settings.intervalS,
      trackBytes: settings.trackBytes,
      fromS: selected.fromS,
      toS: selected.toS,
      syncWindowS: 1,
      cycleS,
      params: sizing.params,
      periodS: request.periodS,
      threads: { count: 'auto' },
    }),
    rpo,
  };
}
