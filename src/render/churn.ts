import type { ChurnRow, ReportBy } from '../report/churn.js';
import { sharedVolumesText, type SharedVolume } from '../report/group-total.js';
import { sizeLink, type Sizing, type SizingRequest } from '../report/sizing.js';
import { summarize } from '../report/percentile.js';
import type { Per } from '../report/window.js';
import { formatBandwidth } from '../units/bandwidth.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { renderCsv, type CsvValue } from './csv.js';
import { escapeTerminal } from './escape.js';
import { formatCount, formatFixed, renderTable, type Column } from './table.js';

/** A churn row with the link figures computed for it. */
export interface ChurnView {
  row: ChurnRow;
  sizing: Sizing;
}

export interface ChurnReportMeta {
  store: string;
  by: ReportBy;
  per: Per;
  intervalS: number;
  trackBytes: number;
  sizing: SizingRequest;
  /** Volumes left out by --exclude (listed in the assumptions line). */
  excluded?: string[];
  /** With --by group: volumes in more than one group (report/group-total.ts), for the total row's note. */
  volumesInSeveralGroups?: readonly SharedVolume[];
}

/** JSON: an array of objects, one per row; the entity's name under the key `by`. */
export function churnJson(views: readonly ChurnView[], by: ReportBy): Record<string, unknown>[] {
  return views.map(({ row, sizing }) => ({
    [by]: row.name,
    ...(row.kind === 'all-datasets' ? { allSelected: true } : {}),
    startS: row.startS,
    endS: row.endS,
    writes: row.writes,
    writeBytes: row.writeBytes,
    reads: row.reads,
    readBytes: row.readBytes,
    changedTracks: row.changedTracks,
    changedBytes: row.changedBytes,
    capacityBytes: row.capacityBytes,
    percentChanged: row.percentChanged,
    foldRatio: row.foldRatio,
    intervals: row.perInterval.intervals,
    peakChangedTracks: row.perInterval.peak,
    p50ChangedTracks: row.perInterval.p50,
    p95ChangedTracks: row.perInterval.p95,
    p99ChangedTracks: row.perInterval.p99,
    ...(row.perInterval.atPercentile === undefined
      ? {}
      : {
          percentile: row.perInterval.atPercentile.p,
          percentileChangedTracks: row.perInterval.atPercentile.value,
        }),
    ...sizing,
  }));
}

const SIZING_CSV: [keyof Sizing, string][] = [
  ['requiredBandwidthBps', 'required_bandwidth_bps'],
  ['pathBps', 'path_bps'],
  ['paths', 'paths'],
  ['requiredPerPathBps', 'required_per_path_bps'],
  ['resyncSeconds', 'resync_seconds'],
];

/**
 * CSV. Per-interval (or per-window) series keep the scripted contract
 * `start_s,<by>,writes,write_bytes,changed_tracks` (+ link columns when asked); whole-window
 * reports carry every figure.
 */
export function churnCsv(views: readonly ChurnView[], by: ReportBy, per: Per, request?: SizingRequest): string {
  // The link columns follow from the request alone, so chunks of a stream agree on them.
  const asked = request === undefined ? null : sizeLink(0, request);
  const sizingCols = SIZING_CSV.filter(([key]) =>
    asked === null ? views.some((v) => v.sizing[key] !== undefined) : asked[key] !== undefined,
  );
  const tail = (s: Sizing): CsvValue[] => sizingCols.map(([key]) => s[key]);
  if (per !== null) {
    return renderCsv(
      ['start_s', by, 'writes', 'write_bytes', 'changed_tracks', ...sizingCols.map(([, h]) => h)],
      views.map(({ row, sizing }) => [
        row.startS,
        row.name,
        row.writes,
        row.writeBytes,
        row.changedTracks,
        ...tail(sizing),
      ]),
    );
  }
  // --percentile P adds its two columns (the percentile asked and the value there).
  const withPercentile = views.some((v) => v.row.perInterval.atPercentile !== undefined);
  const askedCols = withPercentile ? ['percentile', 'percentile_changed_tracks'] : [];
  const askedOf = (row: ChurnView['row']): CsvValue[] =>
    withPercentile ? [row.perInterval.atPercentile?.p ?? null, row.perInterval.atPercentile?.value ?? null] : [];
  return renderCsv(
    [
      by,
      'start_s',
      'end_s',
      'writes',
      'write_bytes',
      'reads',
      'read_bytes',
      'changed_tracks',
      'changed_bytes',
      'capacity_bytes',
      'percent_changed',
      'fold_ratio',
      'intervals',
      'peak_changed_tracks',
      'p50_changed_tracks',
      'p95_changed_tracks',
      'p99_changed_tracks',
      ...askedCols,
      ...sizingCols.map(([, h]) => h),
    ],
    views.map(({ row, sizing }) => [
      row.name,
      row.startS,
      row.endS,
      row.writes,
      row.writeBytes,
      row.reads,
      row.readBytes,
      row.changedTracks,
      row.changedBytes,
      row.capacityBytes,
      row.percentChanged,
      row.foldRatio,
      row.perInterval.intervals,
      row.perInterval.peak,
      row.perInterval.p50,
      row.perInterval.p95,
      row.perInterval.p99,
      ...askedOf(row),
      ...tail(sizing),
    ]),
  );
}

/** Aligned table with a heading that states the store, window, track size and link assumptions. */
export function churnTable(views: readonly ChurnView[], meta: ChurnReportMeta): string {
  const T = meta.trackBytes;
  const first = views[0]?.row;
  const last = views[views.length - 1]?.row;
  const lines = [
    `store ${escapeTerminal(meta.store)}: ${formatDuration(meta.intervalS)} intervals, ${formatBytes(T)} tracks` +
      (first && last ? `, ${isoFromS(first.startS)} to ${isoFromS(last.endS)}` : ''),
  ];
  const s = meta.sizing;
  // Assumptions that change the figures: growth (link math) and excluded volumes.
  const growth = s.params.growth ?? 0;
  if (growth > 0 || (meta.excluded ?? []).length > 0) {
    const excluded = (meta.excluded ?? []).length > 0 ? `, excluded ${escapeTerminal(meta.excluded!.join(', '))}` : '';
    lines.push(`assumptions: growth ${(growth * 100).toFixed(1)} %${excluded}`);
  }
  if (s.resyncS !== null || s.link !== null) {
    lines.push(
      `link math: overhead ${(s.params.overhead * 100).toFixed(1)} %, compression ${s.params.compression}:1, efficiency ${(s.params.efficiency * 100).toFixed(1)} %` +
        (s.resyncS !== null ? `, resync within ${formatDuration(s.resyncS)}` : '') +
        (s.pathBps !== null ? `, paths of ${formatBandwidth(s.pathBps)}` : '') +
        (s.link !== null ? `, link ${s.link.paths} x ${formatBandwidth(s.link.pathBps)}` : ''),
    );
  }
  if (views.length === 0) return `${lines.join('\n')}\nno intervals in the store for this window\n`;
  const cols: Column<ChurnView>[] = [];
  if (meta.per !== null) cols.push({ header: 'start (UTC)', align: 'left', value: (v) => isoFromS(v.row.startS) });
  cols.push({ header: meta.by, align: 'left', value: (v) => v.row.name });
  if (meta.by !== 'dataset') {
    cols.push({ header: 'writes', value: (v) => formatCount(v.row.writes) });
    cols.push({ header: 'written', value: (v) => (v.row.writeBytes === null ? '-' : formatBytes(v.row.writeBytes)) });
  }
  cols.push({ header: 'changed tracks', value: (v) => formatCount(v.row.changedTracks) });
  cols.push({ header: 'changed', value: (v) => formatBytes(v.row.changedBytes) });
  if (meta.per === null) {
    cols.push({ header: '% of size', value: (v) => formatFixed(v.row.percentChanged, 2) });
    if (meta.by !== 'dataset') cols.push({ header: 'fold', value: (v) => formatFixed(v.row.foldRatio, 2) });
    cols.push({
      header: 'peak/interval',
      value: (v) => (Number.isNaN(v.row.perInterval.peak) ? '-' : formatBytes(v.row.perInterval.peak * T)),
    });
    cols.push({
      header: 'p95/interval',
      value: (v) => (Number.isNaN(v.row.perInterval.p95) ? '-' : formatBytes(v.row.perInterval.p95 * T)),
    });
    const asked = views.find((v) => v.row.perInterval.atPercentile !== undefined)?.row.perInterval.atPercentile;
    if (asked !== undefined) {
      cols.push({
        header: `p${asked.p}/interval`,
        value: (v) => {
          const at = v.row.perInterval.atPercentile;
          return at === undefined || Number.isNaN(at.value) ? '-' : formatBytes(at.value * T);
        },
      });
    }
  } else {
    cols.push({
      header: 'avg rate',
      value: (v) => formatBandwidth((8 * v.row.changedBytes) / (v.row.endS - v.row.startS)),
    });
  }
  if (views.some((v) => v.sizing.requiredBandwidthBps !== undefined))
    cols.push({ header: 'required', value: (v) => formatBandwidth(v.sizing.requiredBandwidthBps ?? NaN) });
  if (views.some((v) => v.sizing.paths !== undefined))
    cols.push({ header: 'paths', value: (v) => formatCount(v.sizing.paths ?? null) });
  if (views.some((v) => v.sizing.resyncSeconds !== undefined))
    cols.push({ header: 'resync', value: (v) => formatDuration(v.sizing.resyncSeconds ?? NaN) });
  const totalled = (meta.by === 'volume' || meta.by === 'group') && meta.per === null && views.length > 1;
  const footer = totalled ? [totalView(views, meta)] : [];
  let out = `${lines.join('\n')}\n\n${renderTable(views, cols, footer)}`;
  if (totalled && meta.by === 'group') {
    out += groupTotalNote(meta.volumesInSeveralGroups ?? [], totalContents(cols, meta, footer[0]!));
  }
  if (meta.per !== null) out += `\n${seriesSummary(views, meta)}`;
  return out;
}

/** Columns of the total row computed from its sums (a ratio or the link they need), not summed themselves. */
const FROM_SUMS = ['% of size', 'fold', 'required', 'paths', 'resync'];

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What the total row holds, naming its columns (all but the entity and the per-interval figures):
 * the summed ones, then those computed from the sums that show a value.
 */
function totalContents(cols: readonly Column<ChurnView>[], meta: ChurnReportMeta, total: ChurnView): string {
  const filled = cols.filter((c) => c.header !== meta.by && !c.header.endsWith('/interval'));
  const summed = filled.filter((c) => !FROM_SUMS.includes(c.header)).map((c) => c.header);
  const derived = filled.filter((c) => FROM_SUMS.includes(c.header) && c.value(total) !== '-').map((c) => c.header);
  return `sums over the groups (${listed(summed)})` + (derived.length > 0 ? `; ${listed(derived)} of those sums` : '');
}

/** What the total row under a group table means, naming every column it sums. */
function groupTotalNote(shared: readonly SharedVolume[], contents: string): string {
  const head = `total: ${contents};\n`;
  if (shared.length === 0) {
    return (
      `${head}each volume is in one group, so these are exactly those of all the groups' volumes together\n` +
      '(peak and percentiles per interval do not add: -)\n'
    );
  }
  const n = shared.length;
  return (
    `${head}${n} volume${n === 1 ? ' is' : 's are'} in several groups and counted in each: ` +
    `${escapeTerminal(sharedVolumesText(shared))},\n` +
    `so these count ${n === 1 ? 'it' : 'them'} more than once (report --by volume gives the distinct totals)\n`
  );
}

/**
 * The total row under a volume or group table: sums of the rows' figures (a track belongs to one
 * volume, so the sum of OR counts is the total when no volume is counted twice), and the link all
 * of them need together.
 */
function totalView(views: readonly ChurnView[], meta: ChurnReportMeta): ChurnView {
  const sum = (pick: (r: ChurnRow) => number | null): number => views.reduce((n, v) => n + (pick(v.row) ?? 0), 0);
  const capacities = views.map((v) => v.row.capacityBytes);
  const first = views[0]!.row;
  const changedBytes = sum((r) => r.changedBytes);
  const writeBytes = sum((r) => r.writeBytes);
  const capacityBytes = capacities.every((c) => c !== null) ? sum((r) => r.capacityBytes) : null;
  const row: ChurnRow = {
    startS: first.startS,
    endS: first.endS,
    kind: meta.by === 'group' ? 'group' : 'volume',
    name: 'total',
    writes: sum((r) => r.writes),
    writeBytes,
    reads: sum((r) => r.reads),
    readBytes: sum((r) => r.readBytes),
    changedTracks: sum((r) => r.changedTracks),
    changedBytes,
    capacityBytes,
    percentChanged: capacityBytes ? (100 * changedBytes) / capacityBytes : null,
    foldRatio: changedBytes > 0 ? writeBytes / changedBytes : null,
    perInterval: { intervals: first.perInterval.intervals, peak: NaN, p50: NaN, p95: NaN, p99: NaN, mean: NaN },
  };
  return { row, sizing: sizeLink(changedBytes, meta.sizing) };
}

/** Peak and percentiles of changed bytes per row, per entity, under a per-interval table. */
function seriesSummary(views: readonly ChurnView[], meta: ChurnReportMeta): string {
  const byName = new Map<string, number[]>();
  for (const { row } of views) {
    let list = byName.get(row.name);
    if (list === undefined) byName.set(row.name, (list = []));
    list.push(row.changedTracks);
  }
  const stats = [...byName].map(([name, values]) => ({ name, ...summarize(values) }));
  const T = meta.trackBytes;
  return renderTable(stats, [
    { header: meta.by, align: 'left', value: (s) => s.name },
    { header: 'rows', value: (s) => formatCount(s.intervals) },
    { header: 'p50 changed', value: (s) => formatBytes(s.p50 * T) },
    { header: 'p95 changed', value: (s) => formatBytes(s.p95 * T) },
    { header: 'p99 changed', value: (s) => formatBytes(s.p99 * T) },
    { header: 'peak changed', value: (s) => formatBytes(s.peak * T) },
  ]);
}
