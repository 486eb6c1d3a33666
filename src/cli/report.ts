import { closeSync, openSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { UsageError, checkEnum } from '../errors.js';
import { churnCsv, churnJson, churnTable, type ChurnView } from '../render/churn.js';
import { planChurn, REPORT_BY, streamChurn, type ChurnPlan } from '../report/churn.js';
import { sizeLink, type SizingRequest } from '../report/sizing.js';
import type { Per } from '../report/window.js';
import { parseBandwidthBps, parseLink } from '../units/bandwidth.js';
import { parseDurationS } from '../units/duration.js';
import { parseTimeRange } from '../units/time.js';
import { parseCommandArgs, parseThreads } from './args.js';
import { LINK_PARAM_FLAGS, LINK_PARAM_HELP, linkParamsOf } from './link-options.js';
import {
  measuredJson,
  measuredLink,
  measuredSizing,
  withMeasuredVolumes,
  type MeasuredLink,
} from './measured-compression.js';
import type { Io } from './io.js';
import {
  flagTerms,
  GROWTH_HELP,
  inFlagTerms,
  parsePercentile,
  parsePositiveDurationS,
  PLANNING_FLAGS,
  PLANNING_PARAM_FLAGS,
  withGrowth,
} from './planning-options.js';
import { openCollectedStore, scopeFor } from './store-access.js';
import { defaultPeriodS, replicationModels } from '../api/planning.js';
import { selectData } from '../api/selection.js';
import { nothingSelected } from '../report/selection.js';
import { htmlHeadline } from '../report/html-headline.js';
import { volumesInSeveralGroups } from '../report/group-total.js';
import { modelsCsv, modelsTable } from '../render/planning.js';
import { bandwidthChart, changedChart, renderHtmlReport, rpoChart, writtenChart } from '../render/html.js';
import { htmlData } from '../report/html-data.js';
import type { CellSource } from '../report/cells.js';

const REPORT_HELP = `usage: churnlink report [options]

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
                        (with --resync; or with --target, the html headline's plan in whole paths)
  --link NxBW           an existing link, e.g. 4x155Mbit: gives the resync time
${LINK_PARAM_HELP}
${GROWTH_HELP}
  --exclude GLOB        leave out volumes matching GLOB (swap, tempdb, scratch; repeatable)
  --format FMT          table | json | csv | html | svg (default table)
  --chart NAME          with --format svg: changed | written | bandwidth | rpo (default changed)
  --models              compare synchronous, asynchronous-cycle and periodic replication instead
  --sync-window DUR     with --models: window of the peak write rate synchronous must carry (default 1s)
  --cycle DUR           with --models (and the html RPO chart): async cycle (default: the interval)
  --period DUR          with --models: periodic replication period (default 1h)
  --group NAME          with --models or html/svg: only this group's volumes (the volumes one link serves)
  --target DUR          html/svg RPO chart: the RPO target line (default: 2 cycles); html: also plan
                        the link to buy for it (RPO p99, --cycle, --path paths) as the headline
  --percentile P        also the per-interval changed tracks at percentile P, any number in (0, 100]
                        (nearest rank; peak, p50, p95 and p99 are always in json and csv)
  --max-rows N          refuse a table over N rows (default 200000) or csv/json over N rows
                        (default 10000000): every interval and volume, zeros included, is a row
  --threads N|auto      threads reading the store for buckets longer than an interval, each with its
                        own connection (default auto: two on a multi-core machine when the volumes
                        span 200,000 intervals or more)
  -o, --output FILE     write the report to FILE instead of stdout

Formulas: D = changed bytes x (1 + overhead) / compression; required = 8 D / (resync x efficiency);
paths = ceil(required / path); resync time = 8 D / (paths x path x efficiency).
`;

const FORMATS = ['table', 'json', 'csv', 'html', 'svg'] as const;

/** The report library's parameter names (and phrases) and the flags that set them. */
const REPORT_PARAM_FLAGS: Record<string, string> = {
  ...PLANNING_PARAM_FLAGS,
  periodS: '--period',
  'by dataset': '--by dataset',
  'a scope with data sets': '--scope FILE with datasets:',
};
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
    ...PLANNING_FLAGS,
    exclude: { type: 'string', multiple: true },
    models: { type: 'boolean', default: false },
    'sync-window': { type: 'string' },
    cycle: { type: 'string' },
    period: { type: 'string' },
    group: { type: 'string' },
    target: { type: 'string' },
    'max-rows': { type: 'string' },
    percentile: { type: 'string' },
    threads: { type: 'string' },
    chart: { type: 'string', default: 'changed' },
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
  });
  if (values.help) {
    io.out(REPORT_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" (see churnlink report --help)`);
  }
  const by = checkEnum('--by', values.by!, REPORT_BY);
  const format = checkEnum('--format', values.format!, FORMATS);
  const sizing = sizingOf(values, (format === 'html' || format === 'svg') && values.target !== undefined);
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const { store, settings } = await openCollectedStore('report', values.store!);
  try {
    const per = perOf(values.per, settings.intervalS);
    const selection = {
      window: range,
      group: values.group ?? null,
      exclude: values.exclude ?? [],
      scope: await scopeFor(store, values.scope),
    };
    const { source, ctx } = await selectData(store, selection);
    // A window (or selection) without collected intervals is an error, as in simulate and plan.
    const fromS = range === null ? null : Math.floor(range.fromS / settings.intervalS) * settings.intervalS;
    if ((await source.spans(fromS, range?.toS ?? null)).length === 0)
      throw await nothingSelected(source, settings, range);
    const measured =
      values.compression === 'measured' ? await measuredLink(store, source, settings, range, sizing.params) : null;
    if (measured) sizing.params = measured.params;
    const note = measured && format === 'table' ? `${measured.assumption}\n` : '';
    if (values.models) {
      const syncWindow = values['sync-window'];
      const models = await inFlagTerms(REPORT_PARAM_FLAGS, () =>
        replicationModels(store, {
          ...selection,
          ...(syncWindow === undefined ? {} : { syncWindowS: parseDurationS(syncWindow, '--sync-window') }),
          ...(values.cycle === undefined ? {} : { cycleS: parseDurationS(values.cycle, '--cycle') }),
          ...(values.period === undefined ? {} : { periodS: parseDurationS(values.period, '--period') }),
          params: sizing.params,
        }),
      );
      const { rows } = models;
      const json = measured ? { models: rows, ...measuredJson(measured) } : rows;
      const text =
        format === 'json'
          ? `${JSON.stringify(json, null, 2)}\n`
          : format === 'csv'
            ? modelsCsv(rows)
            : modelsTable(rows, models, sizing.params) + note;
      await emit(text, values.output, io);
      return 0;
    }
    if (format === 'html' || format === 'svg') {
      // The planner's library names its parameters (cycleS); say --cycle.
      const cycleS = values.cycle === undefined ? settings.intervalS : parseDurationS(values.cycle, '--cycle');
      const data = await inFlagTerms(REPORT_PARAM_FLAGS, () =>
        htmlData(source, {
          settings,
          ctx,
          range,
          sizing,
          cycleS,
          periodS:
            values.period === undefined
              ? defaultPeriodS(settings.intervalS)
              : parseDurationS(values.period, '--period'),
          targetS: values.target === undefined ? 2 * cycleS : parsePositiveDurationS(values.target, '--target'),
          excluded: values.exclude ?? [],
          store: store.location,
          group: values.group ?? null,
        }),
      );
      const targetRpoS = values.target === undefined ? null : parsePositiveDurationS(values.target, '--target');
      const headline = await htmlHeadline(source, { settings, range, sizing, cycleS, targetRpoS }, data);
      // The planner's refusal speaks of its parameters; say the flags.
      const flags = { ...PLANNING_PARAM_FLAGS, targetRpoS: '--target' };
      data.headline = headline.map((h) => (h.kind === 'no-plan' ? { ...h, reason: flagTerms(flags, h.reason) } : h));
      const chart = checkEnum('--chart', values.chart!, CHARTS);
      const text =
        format === 'html'
          ? renderHtmlReport(data)
          : chart === 'changed'
            ? changedChart(data)
            : chart === 'written'
              ? writtenChart(data)
              : chart === 'bandwidth'
                ? bandwidthChart(data)
                : (rpoChart(data) ??
                  (() => {
                    throw new UsageError('--chart rpo needs --link (the link to simulate)');
                  })());
      await emit(format === 'svg' ? `${text}\n` : text, values.output, io);
      return 0;
    }
    const datasets = values.dataset === undefined ? null : values.dataset.split(',').map((d) => d.trim());
    const percentile = values.percentile === undefined ? undefined : parsePercentile(values.percentile);
    const threads = parseThreads(values.threads);
    const request = { by, per, range, datasets, threads, ...(percentile === undefined ? {} : { percentile }) };
    const plan = await inFlagTerms(REPORT_PARAM_FLAGS, () => planChurn(source, request, ctx));
    const maxRows = maxRowsOf(values['max-rows'], format === 'table' ? TABLE_MAX_ROWS : STREAM_MAX_ROWS);
    if (plan.denseRows > maxRows) {
      throw new UsageError(
        `${plan.denseRows} rows (${plan.buckets.count} buckets x ${plan.entities.length} ` +
          `${by === 'volume' ? 'volumes' : `${by}s`}` +
          ', ' +
          `zeros included) is over --max-rows ${maxRows}; narrow --window, use a longer --per, or raise --max-rows`,
      );
    }
    if (format === 'table') {
      const views: ChurnView[] = [];
      for await (const row of streamChurn(source, plan)) {
        views.push({
          row,
          sizing: sizeLink(row.changedBytes, measuredSizing(measured, sizing, by === 'volume' ? row.name : null)),
        });
      }
      const { intervalS, trackBytes } = settings;
      const meta = {
        store: store.location,
        by,
        per,
        intervalS,
        trackBytes,
        sizing,
        excluded: values.exclude ?? [],
        volumesInSeveralGroups: volumesInSeveralGroups(plan),
      };
      await emit(churnTable(views, meta) + note, values.output, io);
      return 0;
    }
    await streamOut(source, plan, { format, sizing, output: values.output, io, measured });
    return 0;
  } finally {
    await store.close();
  }
}

/** The link sizing asked; `planned`: an html/svg report plans a link for --target, on --path paths. */
function sizingOf(
  values: {
    resync?: string;
    path?: string;
    link?: string;
    overhead?: string;
    compression?: string;
    efficiency?: string;
    growth?: string;
  },
  planned: boolean,
): SizingRequest {
  const request: SizingRequest = {
    resyncS: values.resync === undefined ? null : parseDurationS(values.resync, '--resync'),
    pathBps: values.path === undefined ? null : parseBandwidthBps(values.path, '--path'),
    link: values.link === undefined ? null : parseLink(values.link),
    params: withGrowth(linkParamsOf(values), values.growth),
  };
  if (request.resyncS !== null && request.resyncS <= 0) throw new UsageError('--resync must be longer than 0 s');
  if (request.pathBps !== null && request.resyncS === null && !planned) {
    throw new UsageError(
      '--path needs --resync: the number of paths depends on how fast the changes must be sent' +
        ' (or, with --format html, --target: the paths of the link planned for that RPO)',
    );
  }
  return request;
}

const TABLE_MAX_ROWS = 200_000; // a table is aligned, so held whole
const STREAM_MAX_ROWS = 10_000_000; // csv and json stream: memory is bounded, the output is not
const STREAM_CHUNK_ROWS = 1000;

function maxRowsOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-rows must be a whole number >= 1, not "${text}"`);
  return n;
}

/** How `streamOut` writes: the format, the link sizing of each row, and where to. */
interface StreamTarget {
  format: 'csv' | 'json';
  sizing: SizingRequest;
  /** -o FILE; undefined: stdout. */
  output: string | undefined;
  io: Io;
  measured: MeasuredLink | null;
}

/** Write csv or json rows as they are computed, a chunk at a time: memory stays bounded. */
async function streamOut(source: CellSource, plan: ChurnPlan, target: StreamTarget): Promise<void> {
  const { format, sizing, output, io, measured } = target;
  const fd = output === undefined ? null : openSync(output, 'w');
  const write = (text: string): void => {
    if (fd === null) io.out(text);
    else writeSync(fd, text);
  };
  const { by, per } = plan.request;
  try {
    let chunk: ChurnView[] = [];
    let first = true;
    const flush = (): void => {
      if (format === 'csv') {
        const text = churnCsv(chunk, by, per, sizing);
        write(first ? text : text.slice(text.indexOf('\n') + 1));
      } else if (chunk.length > 0) {
        const items = withMeasuredVolumes(churnJson(chunk, by), measured)
          .map((o) => `  ${JSON.stringify(o, null, 2).replace(/\n/g, '\n  ')}`)
          .join(',\n');
        write(`${first ? '[\n' : ',\n'}${items}`);
      }
      if (format === 'csv' || chunk.length > 0) first = false;
      chunk = [];
    };
    for await (const row of streamChurn(source, plan)) {
      const own = measuredSizing(measured, sizing, by === 'volume' ? row.name : null);
      chunk.push({ row, sizing: sizeLink(row.changedBytes, own) });
      if (chunk.length >= STREAM_CHUNK_ROWS) flush();
    }
    flush();
    if (format === 'json') write(first ? '[]\n' : '\n]\n');
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Write the result to -o FILE, or stdout. */
export async function emit(text: string, output: string | undefined, io: Io): Promise<void> {
  if (output !== undefined) await writeFile(output, text);
  else io.out(text);
}

function perOf(text: string | undefined, intervalS: number): Per {
  if (text === undefined) return null;
  if (text === 'interval') return 'interval';
  const s = parseDurationS(text, '--per');
  if (s === intervalS) return 'interval';
  if (s < intervalS || s % intervalS !== 0)
    throw new UsageError(`--per ${text} must be "interval" or a multiple of the store's ${intervalS} s interval`);
  return s;
}
