import { readFile, writeFile } from 'node:fs/promises';
import { capacityOf, EMPTY_SCOPE, parseScope, scopeIncludes, type Scope } from '../collect/scope.js';
import { UsageError, checkEnum } from '../errors.js';
import { churnCsv, churnJson, churnTable, type ChurnView } from '../render/churn.js';
import { cellsFromRows } from '../report/cells.js';
import { computeChurn, REPORT_BY } from '../report/churn.js';
import { DEFAULT_LINK_PARAMS } from '../report/link.js';
import { sizeLink, type SizingRequest } from '../report/sizing.js';
import type { Per } from '../report/window.js';
import { SqliteStore } from '../store/sqlite.js';
import { parseBandwidthBps, parseLink } from '../units/bandwidth.js';
import { parseDurationS } from '../units/duration.js';
import { parseTimeRange } from '../units/time.js';
import { parseCommandArgs, parseFraction, parseRatio } from './args.js';
import type { Io } from './io.js';
import { existsSync } from 'node:fs';

export const REPORT_HELP = `usage: churnlink report [options]

Distinct changed tracks per volume, group or data set over a window (bitmaps ORed), or as a time
series, with peak and p50/p95/p99 of the per-interval figures, and the link they need.

options:
  --store PATH          SQLite store file (default churn.db)
  --by KIND             volume | group | dataset (default volume)
  --per SPAN            interval, or a duration (1h) that is a multiple of the interval: time series
  --window RANGE        START/END or START/DURATION, e.g. 2026-01-01T10:00Z/2h (default: everything)
  --scope FILE          groups, data sets and capacities (default: the scope of the latest collect)
  --dataset LIST        data sets to report with --by dataset (default: all)
  --resync DUR          time allowed to send the changes: gives the required bandwidth
  --path BW             bandwidth of one path (100Mbit, T1, T3, OC3, OC12, 1GbE, 10GbE): number of paths
  --link NxBW           an existing link, e.g. 4x155Mbit: gives the resync time
  --overhead FRACTION   protocol overhead, 0.1 or 10% (default 0)
  --compression RATIO   compression ratio, 2 or 2:1 (default 1)
  --efficiency FRACTION usable share of the nominal bandwidth, 0.9 or 90% (default 1)
  --format FMT          table | json | csv (default table)
  -o, --output FILE     write the report to FILE instead of stdout

Formulas: D = changed bytes x (1 + overhead) / compression; required = 8 D / (resync x efficiency);
paths = ceil(required / path); resync time = 8 D / (paths x path x efficiency).
`;

const FORMATS = ['table', 'json', 'csv'] as const;

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
    overhead: { type: 'string' },
    compression: { type: 'string' },
    efficiency: { type: 'string' },
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
  if (!existsSync(values.store!)) throw new UsageError(`report: store ${values.store} does not exist (run churnlink collect first)`);
  const store = new SqliteStore(values.store!);
  try {
    const settings = await store.getSettings();
    if (settings === null) throw new UsageError(`report: store ${values.store} holds no collection yet (run churnlink collect first)`);
    const per = perOf(values.per, settings.intervalS);
    const scope = values.scope !== undefined ? parseScope(await readText(values.scope), values.scope) : await storedScope(store);
    const capacities = new Map((await store.listVolumes()).map((v) => [v.name, v.capacityBytes]));
    const rows = await store.readIntervals(range === null ? {} : { fromS: Math.floor(range.fromS / settings.intervalS) * settings.intervalS, toS: range.toS });
    const cells = cellsFromRows(rows, (v) => scopeIncludes(scope, v));
    const churn = computeChurn(cells, { by, per, range, datasets: values.dataset === undefined ? null : values.dataset.split(',').map((d) => d.trim()) }, {
      intervalS: settings.intervalS,
      trackBytes: settings.trackBytes,
      scope,
      capacityBytes: (v) => capacityOf(scope, v) ?? capacities.get(v) ?? null,
    });
    const views: ChurnView[] = churn.map((row) => ({ row, sizing: sizeLink(row.changedBytes, sizing) }));
    const text =
      format === 'json' ? `${JSON.stringify(churnJson(views, by), null, 2)}\n`
      : format === 'csv' ? churnCsv(views, by, per)
      : churnTable(views, { store: store.location, by, per, intervalS: settings.intervalS, trackBytes: settings.trackBytes, sizing });
    if (values.output !== undefined) await writeFile(values.output, text);
    else io.out(text);
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
    params: {
      overhead: values.overhead === undefined ? DEFAULT_LINK_PARAMS.overhead : parseFraction(values.overhead, '--overhead', { min: 0, max: 10 }),
      compression: values.compression === undefined ? DEFAULT_LINK_PARAMS.compression : parseRatio(values.compression, '--compression'),
      efficiency: values.efficiency === undefined ? DEFAULT_LINK_PARAMS.efficiency : parseFraction(values.efficiency, '--efficiency', { min: 0.01, max: 1 }),
    },
  };
  if (request.resyncS !== null && request.resyncS <= 0) throw new UsageError('--resync must be longer than 0 s');
  if (request.pathBps !== null && request.resyncS === null) {
    throw new UsageError('--path needs --resync: the number of paths depends on how fast the changes must be sent');
  }
  return request;
}

function perOf(text: string | undefined, intervalS: number): Per {
  if (text === undefined) return null;
  if (text === 'interval') return 'interval';
  const s = parseDurationS(text, '--per');
  if (s === intervalS) return 'interval';
  if (s < intervalS || s % intervalS !== 0) throw new UsageError(`--per ${text} must be "interval" or a multiple of the store's ${intervalS} s interval`);
  return s;
}

async function storedScope(store: SqliteStore): Promise<Scope> {
  const json = await store.getScope();
  return json === null ? EMPTY_SCOPE : (JSON.parse(json) as Scope);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--scope: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
