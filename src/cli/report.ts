import { writeFile } from 'node:fs/promises';
import { capacityOf } from '../collect/scope.js';
import { UsageError, checkEnum } from '../errors.js';
import { churnCsv, churnJson, churnTable, type ChurnView } from '../render/churn.js';
import { computeChurn, REPORT_BY } from '../report/churn.js';
import { sizeLink, type SizingRequest } from '../report/sizing.js';
import type { Per } from '../report/window.js';
import { parseBandwidthBps, parseLink } from '../units/bandwidth.js';
import { parseDurationS } from '../units/duration.js';
import { parseTimeRange } from '../units/time.js';
import { parseCommandArgs } from './args.js';
import { LINK_PARAM_FLAGS, LINK_PARAM_HELP, linkParamsOf } from './link-options.js';
import { measuredJson, measuredLink, measuredSizing, withMeasuredVolumes } from './measured-compression.js';
import type { Io } from './io.js';
import { loadCells, openCollectedStore, scopeFor, timelineOf } from './store-access.js';
import { compareModels } from '../report/models.js';
import { modelsCsv, modelsTable, rpoPerInterval } from '../render/planning.js';
import { bandwidthChart, changedChart, renderHtmlReport, rpoChart, writtenChart, type HtmlReportData } from '../render/html.js';
import { simulate } from '../report/simulate.js';
import type { CellMap } from '../report/cells.js';
import type { StoreSettings } from '../store/store.js';
import type { Scope } from '../collect/scope.js';
import type { TimeRange } from '../units/time.js';

export const REPORT_HELP = `usage: churnlink report [options]

Distinct changed tracks per volume, group or data set over a window (bitmaps ORed), or as a time
series, with peak and p50/p95/p99 of the per-interval figures, and the link they need.

options:
  --store PATH|URL      SQLite store file (default churn.db) or postgres:// URL
  --by KIND             volume | group | dataset (default volume)
  --per SPAN            interval, or a duration (1h) that is a multiple of the interval: time series
  --window RANGE        START/END or START/DURATION, e.g. 2026-01-01T10:00Z/2h (default: everything)
  --scope FILE          groups, data sets and capacities (default: the scope of the latest collect)
  --dataset LIST        data sets to report with --by dataset (default: all)
  --resync DUR          time allowed to send the changes: gives the required bandwidth
  --path BW             bandwidth of one path (100Mbit, T1, T3, OC3, OC12, 1GbE, 10GbE): number of paths
  --link NxBW           an existing link, e.g. 4x155Mbit: gives the resync time
${LINK_PARAM_HELP}
  --format FMT          table | json | csv | html | svg (default table)
  --chart NAME          with --format svg: changed | written | bandwidth | rpo (default changed)
  --models              compare synchronous, asynchronous-cycle and periodic replication instead
  --sync-window DUR     with --models: window of the peak write rate synchronous must carry (default 1s)
  --cycle DUR           with --models (and the html RPO chart): async cycle (default: the interval)
  --period DUR          with --models: periodic replication period (default 1h)
  --group NAME          with --models: only this group's volumes (the volumes one link serves)
  --target DUR          html/svg RPO chart: the RPO target line (default: 2 cycles)
  -o, --output FILE     write the report to FILE instead of stdout

Formulas: D = changed bytes x (1 + overhead) / compression; required = 8 D / (resync x efficiency);
paths = ceil(required / path); resync time = 8 D / (paths x path x efficiency).
`;

const FORMATS = ['table', 'json', 'csv', 'html', 'svg'] as const;
const CHARTS = ['changed', 'written', 'bandwidth', 'rpo'] as const;

/** `churnlink report`: read the store, compute the churn report, render it. */
export async function runReport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', argv, {
    store: { type: 'string', default: 'churn.db' },
    by: { type: 'string', default: 'volume' },
    per: { type: 'string' },
    window: { type: 'string' },
    scope: { type: 'string' },
    dataset: { type: 'string' },
    resync: { type: 'string' },
    path: { type: 'string' },
    link: { type: 'string' },
    ...LINK_PARAM_FLAGS,
    models: { type: 'boolean', default: false },
    'sync-window': { type: 'string' },
    cycle: { type: 'string' },
    period: { type: 'string' },
    group: { type: 'string' },
    target: { type: 'string' },
    chart: { type: 'string', default: 'changed' },
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
  });
  if (values.help) {
    io.out(REPORT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`report: unexpected argument "${positionals[0]}" (see churnlink report --help)`);
  const by = checkEnum('--by', values.by!, REPORT_BY);
  const format = checkEnum('--format', values.format!, FORMATS);
  const sizing = sizingOf(values);
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const { store, settings } = await openCollectedStore('report', values.store!);
  try {
    const per = perOf(values.per, settings.intervalS);
    const scope = await scopeFor(store, values.scope);
    const capacities = new Map((await store.listVolumes()).map((v) => [v.name, v.capacityBytes]));
    const cells = await loadCells(store, settings, scope, range, values.group ?? null);
    const measured = values.compression === 'measured'
      ? await measuredLink(store, cells, sizing.params, settings.intervalS) : null;
    if (measured) sizing.params = measured.params;
    const note = measured && format === 'table' ? `${measured.assumption}\n` : '';
    if (values.models) {
      const timeline = timelineOf(cells, settings, range);
      const rows = compareModels(timeline, {
        syncWindowS: values['sync-window'] === undefined ? 1 : parseDurationS(values['sync-window'], '--sync-window'),
        cycleS: values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle'),
        periodS: values.period === undefined ? defaultPeriodS(settings.intervalS) : parseDurationS(values.period, '--period'),
        params: sizing.params,
      });
      const json = measured ? { models: rows, ...measuredJson(measured) } : rows;
      const text = format === 'json' ? `${JSON.stringify(json, null, 2)}\n`
        : format === 'csv' ? modelsCsv(rows) : modelsTable(rows, timeline, sizing.params) + note;
      await emit(text, values.output, io);
      return 0;
    }
    if (format === 'html' || format === 'svg') {
      const data = htmlData(cells, settings, scope, range, sizing, values, store.location, capacities);
      const chart = checkEnum('--chart', values.chart!, CHARTS);
      const text = format === 'html' ? renderHtmlReport(data)
        : chart === 'changed' ? changedChart(data) : chart === 'written' ? writtenChart(data) : chart === 'bandwidth' ? bandwidthChart(data)
        : rpoChart(data) ?? (() => { throw new UsageError('--chart rpo needs --link (the link to simulate)'); })();
      await emit(format === 'svg' ? `${text}\n` : text, values.output, io);
      return 0;
    }
    const churn = computeChurn(cells, { by, per, range, datasets: values.dataset === undefined ? null : values.dataset.split(',').map((d) => d.trim()) }, {
      intervalS: settings.intervalS,
      trackBytes: settings.trackBytes,
      scope,
      capacityBytes: (v) => capacityOf(scope, v) ?? capacities.get(v) ?? null,
    });
    const views: ChurnView[] = churn.map((row) => ({
      row, sizing: sizeLink(row.changedBytes, measuredSizing(measured, sizing, by === 'volume' ? row.name : null)),
    }));
    const text =
      format === 'json' ? `${JSON.stringify(withMeasuredVolumes(churnJson(views, by), measured), null, 2)}\n`
      : format === 'csv' ? churnCsv(views, by, per)
      : churnTable(views, { store: store.location, by, per, intervalS: settings.intervalS, trackBytes: settings.trackBytes, sizing })
        + note;
    await emit(text, values.output, io);
    return 0;
  } finally {
    await store.close();
  }
}

function sizingOf(values: { resync?: string; path?: string; link?: string; overhead?: string; compression?: string; efficiency?: string }): SizingRequest {
  const request: SizingRequest = {
    resyncS: values.resync === undefined ? null : parseDurationS(values.resync, '--resync'),
    pathBps: values.path === undefined ? null : parseBandwidthBps(values.path, '--path'),
    link: values.link === undefined ? null : parseLink(values.link),
    params: linkParamsOf(values),
  };
  if (request.resyncS !== null && request.resyncS <= 0) throw new UsageError('--resync must be longer than 0 s');
  if (request.pathBps !== null && request.resyncS === null) {
    throw new UsageError('--path needs --resync: the number of paths depends on how fast the changes must be sent');
  }
  return request;
}

/** Everything the HTML report and its charts show. */
function htmlData(
  cells: CellMap, settings: StoreSettings, scope: Scope, range: TimeRange | null, sizing: SizingRequest,
  values: { cycle?: string; period?: string; target?: string; link?: string }, store: string, capacities: Map<string, number | null>,
): HtmlReportData {
  const ctx = { intervalS: settings.intervalS, trackBytes: settings.trackBytes, scope, capacityBytes: (v: string) => capacityOf(scope, v) ?? capacities.get(v) ?? null };
  const timeline = timelineOf(cells, settings, range);
  const volumes = computeChurn(cells, { by: 'volume', per: null, range, datasets: null }, ctx);
  const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
  const targetS = values.target === undefined ? 2 * cycleS : parseDurationS(values.target, '--target');
  let rpo: HtmlReportData['rpo'] = null;
  if (sizing.link !== null) {
    const result = simulate(timeline, { cycleS, linkBps: sizing.link.paths * sizing.link.pathBps, params: sizing.params, outages: [], targetS });
    rpo = { link: sizing.link, cycleS, targetS, perInterval: rpoPerInterval(result, settings.intervalS), p99S: result.rpo.p99S, maxS: result.rpo.maxS };
  }
  return {
    title: 'churnlink: write churn and replication link report',
    store,
    intervalS: settings.intervalS,
    trackBytes: settings.trackBytes,
    window: { startS: timeline.firstS, endS: timeline.endS },
    params: sizing.params,
    groupSeries: computeChurn(cells, { by: 'group', per: 'interval', range, datasets: null }, ctx),
    volumes,
    totalChangedBytes: volumes.reduce((n, v) => n + v.changedBytes, 0),
    models: compareModels(timeline, { syncWindowS: 1, cycleS, periodS: values.period === undefined ? defaultPeriodS(settings.intervalS) : parseDurationS(values.period, '--period'), params: sizing.params }),
    rpo,
  };
}

/** Write the result to -o FILE, or stdout. */
export async function emit(text: string, output: string | undefined, io: Io): Promise<void> {
  if (output !== undefined) await writeFile(output, text);
  else io.out(text);
}

/** One hour when the interval divides it, else one interval. */
function defaultPeriodS(intervalS: number): number {
  return 3600 % intervalS === 0 ? 3600 : intervalS;
}

function perOf(text: string | undefined, intervalS: number): Per {
  if (text === undefined) return null;
  if (text === 'interval') return 'interval';
  const s = parseDurationS(text, '--per');
  if (s === intervalS) return 'interval';
  if (s < intervalS || s % intervalS !== 0) throw new UsageError(`--per ${text} must be "interval" or a multiple of the store's ${intervalS} s interval`);
  return s;
}

