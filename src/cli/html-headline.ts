import type { HtmlReportData } from '../render/html.js';
import type { CellSource } from '../report/cells.js';
import { UsageError } from '../errors.js';
import { headlineOf, type Headline, type HeadlineInput } from '../report/headline.js';
import { planLink } from '../report/plan.js';
import { loadTimeline } from '../report/selection.js';
import type { SizingRequest } from '../report/sizing.js';
import type { StoreSettings } from '../store/store.js';
import { parseDurationS } from '../units/duration.js';
import type { TimeRange } from '../units/time.js';
import { inFlagTerms, PLANNING_PARAM_FLAGS } from './planning-options.js';

/** Percentile of the RPO the HTML report's plan meets (as its what-if chart shows p99). */
const HEADLINE_PERCENTILE = 99;
/** The planner's parameters as this command's flags. */
const FLAGS = { ...PLANNING_PARAM_FLAGS, targetRpoS: '--target' };

/**
 * The HTML report's headline: with --target, the link to buy for it (a plan at p99 over the
 * same window, on --path paths when given) or why none can be planned; with --link, its resync
 * time and RPO; else the peak.
 */
export async function htmlHeadline(
  source: CellSource, settings: StoreSettings, range: TimeRange | null, sizing: SizingRequest,
  values: { cycle?: string; target?: string }, data: HtmlReportData,
): Promise<Headline[]> {
  const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
  const targetRpoS = values.target === undefined ? null : parseDurationS(values.target, '--target');
  let plan: HeadlineInput['plan'] = null;
  if (targetRpoS !== null) {
    const timeline = await loadTimeline(source, settings, range);
    const percentile = HEADLINE_PERCENTILE;
    const simulation = { cycleS, params: sizing.params, outages: [] };
    const request = { targetRpoS, percentile, pathBps: sizing.pathBps, simulation };
    try {
      plan = { targetRpoS, percentile, cycleS, result: await inFlagTerms(FLAGS, () => planLink(timeline, request)) };
    } catch (err) {
      // A target the window cannot judge or no link can reach still leaves a report worth reading: say why.
      if (!(err instanceof UsageError)) throw err;
      plan = { targetRpoS, percentile, cycleS, result: { refused: err.message } };
    }
  }
  const rpo = data.rpo === null ? null : { cycleS: data.rpo.cycleS, p99S: data.rpo.p99S, maxS: data.rpo.maxS };
  return headlineOf({ totalChangedBytes: data.totalChangedBytes, models: data.models, sizing, rpo, plan });
}
