import type { HtmlReportData } from './html-data.js';
import type { CellSource } from './cells.js';
import { UsageError } from '../errors.js';
import { headlineOf, type Headline, type HeadlineInput } from './headline.js';
import { planLink } from './plan.js';
import { openChanges } from './streamed-changes.js';
import type { SizingRequest } from './sizing.js';
import type { StoreSettings } from '../store/store.js';
import type { TimeRange } from '../units/time.js';

/** Percentile of the RPO the HTML report's plan meets (as its what-if chart shows p99). */
const HEADLINE_PERCENTILE = 99;
/** What the headline needs besides the report's data: the cycle and the RPO target, if any (s). */
export interface HeadlineRequest {
  settings: StoreSettings;
  range: TimeRange | null;
  sizing: SizingRequest;
  cycleS: number;
  /** The RPO target to plan a link for; null: none asked. */
  targetRpoS: number | null;
}

/**
 * The HTML report's headline: with an RPO target, the link to buy for it (a plan at p99 over the
 * same window, on paths of `sizing.pathBps` when given) or why none can be planned (the planner's
 * message, in parameter terms); with a given link, its resync time and RPO; else the peak.
 */
export async function htmlHeadline(
  source: CellSource,
  request: HeadlineRequest,
  data: HtmlReportData,
): Promise<Headline[]> {
  const { settings, range, sizing, cycleS, targetRpoS } = request;
  let plan: HeadlineInput['plan'] = null;
  if (targetRpoS !== null) {
    const timeline = await openChanges(source, settings, range);
    const percentile = HEADLINE_PERCENTILE;
    const simulation = { cycleS, params: sizing.params, outages: [] };
    const planRequest = { targetRpoS, percentile, pathBps: sizing.pathBps, simulation };
    try {
      plan = { targetRpoS, percentile, cycleS, result: await planLink(timeline, planRequest) };
    } catch (err) {
      // A target the window cannot judge or no link can reach still leaves a report worth reading: say why.
      if (!(err instanceof UsageError)) throw err;
      plan = { targetRpoS, percentile, cycleS, result: { refused: err.message } };
    } finally {
      await timeline.close();
    }
  }
  const rpo = data.rpo === null ? null : { cycleS: data.rpo.cycleS, p99S: data.rpo.p99S, maxS: data.rpo.maxS };
  return headlineOf({ totalChangedBytes: data.totalChangedBytes, models: data.models, sizing, rpo, plan });
}
