import { Bitset } from '../bitmap/bitset.js';
import { orRoaringInto, walkRoaring } from '../bitmap/roaring.js';
import { groupsOfVolume, type Scope } from '../collect/scope.js';
import { UsageError } from '../errors.js';
import type { TimeRange } from '../units/time.js';
import { cellSpan, type Cell, type CellMap } from './cells.js';
import { summarize, type SeriesSummary } from './percentile.js';
import { intervalStartsIn, planBuckets, type Bucket, type Per } from './window.js';

export type ReportBy = 'volume' | 'group' | 'dataset';
export const REPORT_BY: readonly ReportBy[] = ['volume', 'group', 'dataset'];

/** Name of the final data-set row: the OR of all selected data sets. */
export const ALL_DATASETS = '(all selected)';
/** Group of volumes that no declared group names. */
export const UNGROUPED = '(ungrouped)';

export interface ChurnRequest {
  by: ReportBy;
  per: Per;
  /** Restrict to this time range; null: the whole collection. */
  range: TimeRange | null;
  /** Data sets to report (by dataset); null: all declared. */
  datasets: string[] | null;
}

export interface ChurnContext {
  intervalS: number;
  trackBytes: number;
  scope: Scope;
  /** Volume capacity in bytes where known. */
  capacityBytes: (volume: string) => number | null;
}

/** One row of a churn report: one entity over one bucket. */
export interface ChurnRow {
  startS: number;
  endS: number; // exclusive
  kind: 'volume' | 'group' | 'dataset' | 'all-datasets';
  name: string;
  /** Write and read counters; null for data sets (bitmaps do not keep them per extent). */
  writes: number | null;
  writeBytes: number | null;
  reads: number | null;
  readBytes: number | null;
  changedTracks: number;
  changedBytes: number;
  /** Volume capacity, a group's summed capacity, or a data set's size in whole tracks. */
  capacityBytes: number | null;
  percentChanged: number | null;
  /** writeBytes / changedBytes: how many bytes were written per byte to replicate. */
  foldRatio: number | null;
  /** Changed tracks per collection interval inside the bucket. */
  perInterval: SeriesSummary;
}

interface VolumeFigures {
  name: string;
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  changedTracks: number;
  series: Float64Array; // changed tracks per interval of the bucket
  cells: (Cell | undefined)[]; // per interval of the bucket
  bits: Bitset | null; // OR of the bucket, when data sets need it
}

/**
 * Compute a churn report: plan the buckets, OR each volume's interval bitmaps per bucket, then
 * derive volume, group (sum of its volumes' OR counts) or data-set rows (OR restricted to the
 * extents, plus a final row ORing all selected data sets). Pure: cells in, rows out.
 */
export function computeChurn(cells: CellMap, request: ChurnRequest, ctx: ChurnContext): ChurnRow[] {
  const span = cellSpan(cells);
  const range = request.range ?? (span && { fromS: span.firstS, toS: span.lastS + ctx.intervalS });
  if (range === null) return [];
  const buckets = planBuckets(range.fromS, range.toS, ctx.intervalS, request.per);
  const volumes = [...cells.keys()].filter((v) => hasCellIn(cells.get(v)!, buckets)).sort();
  const datasets = request.by === 'dataset' ? selectDatasets(ctx.scope, request.datasets) : [];
  const masks = datasets.map((d) => maskOf(d.extents, ctx.trackBytes));
  const scratch = new Map<string, Bitset>();
  const rows: ChurnRow[] = [];
  for (const bucket of buckets) {
    const figures = volumes.map((v) => volumeFigures(v, cells.get(v)!, bucket, ctx.intervalS, request.by === 'dataset', scratch));
    if (request.by === 'volume') {
      for (const f of figures) rows.push(row(bucket, 'volume', f.name, f, f.series, ctx.capacityBytes(f.name), ctx.trackBytes));
    } else if (request.by === 'group') {
      rows.push(...groupRows(bucket, figures, ctx));
    } else {
      const intervals = intervalStartsIn(bucket, ctx.intervalS).length;
      datasets.forEach((d, i) => rows.push(datasetRow(bucket, 'dataset', d.name, figures, masks[i]!, intervals, ctx.trackBytes)));
      rows.push(datasetRow(bucket, 'all-datasets', ALL_DATASETS, figures, unionMasks(masks), intervals, ctx.trackBytes));
    }
  }
  return rows;
}

function hasCellIn(byStart: Map<number, Cell>, buckets: Bucket[]): boolean {
  if (buckets.length === 0) return false;
  const from = buckets[0]!.startS;
  const to = buckets[buckets.length - 1]!.endS;
  for (const s of byStart.keys()) if (s >= from && s < to) return true;
  return false;
}

function volumeFigures(name: string, byStart: Map<number, Cell>, bucket: Bucket, intervalS: number, needBits: boolean, scratch: Map<string, Bitset>): VolumeFigures {
  const starts = intervalStartsIn(bucket, intervalS);
  const f: VolumeFigures = { name, writes: 0, writeBytes: 0, reads: 0, readBytes: 0, changedTracks: 0, series: new Float64Array(starts.length), cells: [], bits: null };
  let present = 0;
  let only: Cell | undefined;
  for (let k = 0; k < starts.length; k++) {
    const cell = byStart.get(starts[k]!);
    f.cells.push(cell);
    if (cell === undefined) continue;
    present++;
    only = cell;
    f.writes += cell.writes;
    f.writeBytes += cell.writeBytes;
    f.reads += cell.reads;
    f.readBytes += cell.readBytes;
    f.series[k] = cell.changedTracks;
  }
  if (present === 1 && !needBits) {
    f.changedTracks = only!.changedTracks;
  } else if (present > 0) {
    let bits = scratch.get(name);
    if (bits === undefined) scratch.set(name, (bits = new Bitset()));
    else bits.clear();
    for (const cell of f.cells) if (cell !== undefined) orRoaringInto(cell.bitmap, bits);
    f.changedTracks = bits.count();
    f.bits = bits;
  }
  return f;
}

function row(bucket: Bucket, kind: ChurnRow['kind'], name: string, sums: { writes: number; writeBytes: number; reads: number; readBytes: number; changedTracks: number } | null, series: Float64Array, capacityBytes: number | null, trackBytes: number, changedTracks = sums?.changedTracks ?? 0): ChurnRow {
  const changedBytes = changedTracks * trackBytes;
  const capacityTracks = capacityBytes === null ? null : Math.ceil(capacityBytes / trackBytes);
  return {
    startS: bucket.startS,
    endS: bucket.endS,
    kind,
    name,
    writes: sums ? sums.writes : null,
    writeBytes: sums ? sums.writeBytes : null,
    reads: sums ? sums.reads : null,
    readBytes: sums ? sums.readBytes : null,
    changedTracks,
    changedBytes,
    capacityBytes,
    percentChanged: capacityTracks ? (100 * changedTracks) / capacityTracks : null,
    foldRatio: sums && changedBytes > 0 ? sums.writeBytes / changedBytes : null,
    perInterval: summarize(series),
  };
}

function groupRows(bucket: Bucket, figures: VolumeFigures[], ctx: ChurnContext): ChurnRow[] {
  const members = new Map<string, VolumeFigures[]>(ctx.scope.groups.map((g) => [g.name, []]));
  for (const f of figures) {
    const groups = groupsOfVolume(ctx.scope, f.name);
    if (groups.length === 0) {
      if (!members.has(UNGROUPED)) members.set(UNGROUPED, []);
      members.get(UNGROUPED)!.push(f);
    }
    for (const g of groups) members.get(g)!.push(f);
  }
  const rows: ChurnRow[] = [];
  for (const [name, list] of members) {
    const sums = { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, changedTracks: 0 };
    const series = new Float64Array(intervalStartsIn(bucket, ctx.intervalS).length);
    let capacity: number | null = list.length > 0 ? 0 : null;
    for (const f of list) {
      sums.writes += f.writes;
      sums.writeBytes += f.writeBytes;
      sums.reads += f.reads;
      sums.readBytes += f.readBytes;
      sums.changedTracks += f.changedTracks;
      for (let k = 0; k < series.length; k++) series[k]! += f.series[k]!;
      const c = ctx.capacityBytes(f.name);
      capacity = capacity === null || c === null ? null : capacity + c;
    }
    rows.push(row(bucket, 'group', name, sums, series, capacity, ctx.trackBytes));
  }
  return rows;
}

type Masks = Map<string, Bitset>;

function selectDatasets(scope: Scope, names: string[] | null): Scope['datasets'] {
  if (scope.datasets.length === 0) throw new UsageError('report --by dataset: the scope declares no data sets (give --scope FILE with datasets:)');
  if (names === null) return scope.datasets;
  return names.map((n) => {
    const d = scope.datasets.find((x) => x.name === n);
    if (!d) throw new UsageError(`report: unknown data set "${n}"; declared: ${scope.datasets.map((x) => x.name).join(', ')}`);
    return d;
  });
}

/** Tracks overlapped by a data set's extents, per volume. */
export function maskOf(extents: Scope['datasets'][number]['extents'], trackBytes: number): Masks {
  const masks: Masks = new Map();
  for (const e of extents) {
    let m = masks.get(e.volume);
    if (m === undefined) masks.set(e.volume, (m = new Bitset()));
    m.setRange(Math.floor(e.offsetBytes / trackBytes), Math.floor((e.offsetBytes + e.lengthBytes - 1) / trackBytes) + 1);
  }
  return masks;
}

function unionMasks(list: Masks[]): Masks {
  const union: Masks = new Map();
  for (const masks of list) {
    for (const [volume, m] of masks) {
      let u = union.get(volume);
      if (u === undefined) union.set(volume, (u = new Bitset()));
      u.or(m);
    }
  }
  return union;
}

function datasetRow(bucket: Bucket, kind: ChurnRow['kind'], name: string, figures: VolumeFigures[], masks: Masks, intervals: number, trackBytes: number): ChurnRow {
  let changed = 0;
  let maskTracks = 0;
  for (const m of masks.values()) maskTracks += m.count();
  const series = new Float64Array(intervals);
  for (const f of figures) {
    const mask = masks.get(f.name);
    if (mask === undefined || f.bits === null) continue;
    changed += f.bits.countAnd(mask);
    f.cells.forEach((cell, k) => {
      if (cell !== undefined) series[k]! += countInMask(cell.bitmap, mask);
    });
  }
  return row(bucket, kind, name, null, series, maskTracks * trackBytes, trackBytes, changed);
}

function countInMask(blob: Uint8Array, mask: Bitset): number {
  let n = 0;
  walkRoaring(blob, {
    range(first, last) {
      n += mask.countRange(first, last + 1);
    },
  });
  return n;
}
