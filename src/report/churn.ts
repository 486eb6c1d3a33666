import type { Scope } from '../scope/scope.js';
import type { VolumeSpan } from '../store/store.js';
import type { TimeRange } from '../units/time.js';
import { spanWindow, type CellSource, type PlacedCell } from './cells.js';
import { summarizeSparse, type SeriesSummary } from './percentile.js';
import { BucketPlan, type Bucket, type Per } from './window.js';
import {
  ALL_DATASETS,
  countInMask,
  groupNames,
  groupsOf,
  maskOf,
  selectDatasets,
  unionMasks,
  type Masks,
} from './entities.js';
import type { Figures } from './figures.js';
import { emptyFigures } from './figures.js';
import { foldBuckets, type FoldThreads } from './parallel-fold.js';

export type ReportBy = 'volume' | 'group' | 'dataset';
export const REPORT_BY: readonly ReportBy[] = ['volume', 'group', 'dataset'];

export { ALL_DATASETS, UNGROUPED, maskOf } from './entities.js';

export interface ChurnRequest {
  by: ReportBy;
  per: Per;
  /** Restrict to this time range; null: the whole collection. */
  range: TimeRange | null;
  /** Data sets to report (by dataset); null: all declared. */
  datasets: string[] | null;
  /** Leave out the rows of buckets without any cell (charts); default: dense, zeros included. */
  sparse?: boolean;
  /** Also give each row's per-interval figure at this percentile, in (0, 100] (nearest rank). */
  percentile?: number;
  /**
   * Threads that read and fold volumes for buckets longer than an interval (each its own store
   * connection); default `auto`: two on a multi-core machine when the window holds many cells.
   */
  threads?: FoldThreads;
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

/** What a report will produce, known before any cell is read: for row limits and headings. */
export interface ChurnPlan {
  request: ChurnRequest;
  ctx: ChurnContext;
  buckets: BucketPlan;
  /** Volumes with cells in the window, by name. */
  volumes: VolumeSpan[];
  /** Row entities in output order (volumes, groups, or data sets then the all-selected row). */
  entities: string[];
  /** Rows of the dense output: every bucket × every entity. */
  denseRows: number;
}

/**
 * Plan a churn report: which volumes have cells in the window, the buckets and the row entities.
 * Reads only volume spans (index look-ups), never cells.
 */
export async function planChurn(source: CellSource, request: ChurnRequest, ctx: ChurnContext): Promise<ChurnPlan> {
  const range = request.range;
  const fromS = range === null ? null : Math.floor(range.fromS / ctx.intervalS) * ctx.intervalS;
  const volumes = await source.spans(fromS, range?.toS ?? null);
  const window = range ?? spanWindow(volumes, ctx.intervalS) ?? { fromS: 0, toS: 0 };
  const buckets = new BucketPlan(window.fromS, window.toS, ctx.intervalS, request.per);
  let entities: string[];
  if (request.by === 'volume') entities = volumes.map((v) => v.volume);
  else if (request.by === 'group')
    entities = groupNames(
      ctx.scope,
      volumes.map((v) => v.volume),
    );
  else entities = [...selectDatasets(ctx.scope, request.datasets).map((d) => d.name), ALL_DATASETS];
  if (volumes.length === 0) entities = [];
  return { request, ctx, buckets, volumes, entities, denseRows: buckets.count * entities.length };
}

/**
 * Compute a churn report as a stream of rows, bucket by bucket, entities in a fixed order:
 * volumes by name; groups as declared then (ungrouped); data sets as selected then the OR of all.
 * Memory is bounded by what the answer needs, never by the cells of the window: a per-interval
 * series reads cells in time order and emits each interval's rows as it ends; coarser buckets
 * read volume by volume (one volume's OR at a time) and keep one figure per (entity, bucket that
 * has cells). Buckets without cells cost nothing until their zero rows are written (or skipped
 * with `sparse`).
 */
export async function* streamChurn(source: CellSource, plan: ChurnPlan): AsyncGenerator<ChurnRow> {
  if (plan.entities.length === 0) return;
  if (plan.request.per === 'interval') yield* intervalRows(source, plan);
  else yield* bucketRows(source, plan);
}

/** The whole report as an array (small reports, tests). */
export async function computeChurn(source: CellSource, request: ChurnRequest, ctx: ChurnContext): Promise<ChurnRow[]> {
  const rows: ChurnRow[] = [];
  for await (const row of streamChurn(source, await planChurn(source, request, ctx))) rows.push(row);
  return rows;
}

/** Per-interval rows: cells in time order, one interval at a time. */
async function* intervalRows(source: CellSource, plan: ChurnPlan): AsyncGenerator<ChurnRow> {
  const { buckets, ctx, request } = plan;
  const datasets = request.by === 'dataset' ? selectDatasets(ctx.scope, request.datasets) : [];
  const masks = datasets.map((d) => maskOf(d.extents, ctx.trackBytes));
  if (masks.length > 0) masks.push(unionMasks(masks));
  let next = 0; // first bucket not emitted yet
  let current: PlacedCell[] = [];
  const flush = function* (): Generator<ChurnRow> {
    if (current.length === 0) return;
    const index = buckets.indexOf(current[0]!.startS);
    if (!request.sparse) for (; next < index; next++) yield* zeroRows(plan, buckets.bucket(next));
    const figures = new Map<string, Figures>();
    for (const cell of current) {
      if (request.by === 'volume') addFigures(figures, cell.volume, cell, cell.changedTracks, cell.startS);
      else if (request.by === 'group') {
        for (const g of groupsOf(ctx.scope, cell.volume)) addFigures(figures, g, cell, cell.changedTracks, cell.startS);
      }
    }
    if (request.by === 'dataset') {
      plan.entities.forEach((name, k) => {
        let changed = 0;
        for (const cell of current) {
          const mask = masks[k]!.get(cell.volume);
          if (mask !== undefined) changed += countInMask(cell.bitmap, mask);
        }
        const f = emptyFigures();
        f.changedTracks = changed;
        f.series.add(current[0]!.startS, changed);
        figures.set(name, f);
      });
    }
    yield* bucketOutput(plan, buckets.bucket(index), figures);
    next = index + 1;
    current = [];
  };
  const names = plan.volumes.map((v) => v.volume);
  for await (const page of source.cells(names, buckets.firstS, buckets.endS)) {
    for (const cell of page) {
      if (current.length > 0 && current[0]!.startS !== cell.startS) yield* flush();
      current.push(cell);
    }
  }
  yield* flush();
  if (!request.sparse) for (; next < buckets.count; next++) yield* zeroRows(plan, buckets.bucket(next));
}

/**
 * Rows of buckets longer than one interval: volume by volume, OR each bucket's cells, fold the
 * volume's figures into its entities; then emit bucket by bucket.
 */
async function* bucketRows(source: CellSource, plan: ChurnPlan): AsyncGenerator<ChurnRow> {
  const { buckets, request } = plan;
  const results = await foldBuckets(source, plan, request.threads ?? 'auto');
  const present = [...results.keys()].sort((a, b) => a - b);
  let next = 0;
  for (const index of present) {
    if (!request.sparse) for (; next < index; next++) yield* zeroRows(plan, buckets.bucket(next));
    yield* bucketOutput(plan, buckets.bucket(index), results.get(index)!);
    results.delete(index);
    next = index + 1;
  }
  if (!request.sparse) for (; next < buckets.count; next++) yield* zeroRows(plan, buckets.bucket(next));
}

function addFigures(
  figures: Map<string, Figures>,
  name: string,
  cell: PlacedCell,
  changedTracks: number,
  startS: number,
): void {
  let f = figures.get(name);
  if (f === undefined) figures.set(name, (f = emptyFigures()));
  f.writes += cell.writes;
  f.writeBytes += cell.writeBytes;
  f.reads += cell.reads;
  f.readBytes += cell.readBytes;
  f.changedTracks += changedTracks;
  if (changedTracks > 0) f.series.add(startS, changedTracks);
}

/** The rows of one bucket, every entity in order, zeros for entities without figures. */
function* bucketOutput(plan: ChurnPlan, bucket: Bucket, figures: Map<string, Figures>): Generator<ChurnRow> {
  const { ctx, request } = plan;
  const intervals = (bucket.endS - bucket.startS) / ctx.intervalS;
  for (const name of plan.entities) {
    const f = figures.get(name);
    if (request.by === 'volume' && f === undefined && request.sparse) continue;
    yield rowOf(plan, bucket, name, f ?? emptyFigures(), intervals);
  }
}

function* zeroRows(plan: ChurnPlan, bucket: Bucket): Generator<ChurnRow> {
  yield* bucketOutput(plan, bucket, new Map());
}

function rowOf(plan: ChurnPlan, bucket: Bucket, name: string, f: Figures, intervals: number): ChurnRow {
  const { ctx, request } = plan;
  const kind: ChurnRow['kind'] =
    request.by !== 'dataset' ? request.by : name === ALL_DATASETS ? 'all-datasets' : 'dataset';
  const capacityBytes =
    kind === 'volume'
      ? ctx.capacityBytes(name)
      : kind === 'group'
        ? groupCapacity(plan, name)
        : datasetBytes(plan, name);
  const counters = request.by !== 'dataset';
  const changedBytes = f.changedTracks * ctx.trackBytes;
  const capacityTracks = capacityBytes === null ? null : Math.ceil(capacityBytes / ctx.trackBytes);
  return {
    startS: bucket.startS,
    endS: bucket.endS,
    kind,
    name,
    writes: counters ? f.writes : null,
    writeBytes: counters ? f.writeBytes : null,
    reads: counters ? f.reads : null,
    readBytes: counters ? f.readBytes : null,
    changedTracks: f.changedTracks,
    changedBytes,
    capacityBytes,
    percentChanged: capacityTracks ? (100 * f.changedTracks) / capacityTracks : null,
    foldRatio: counters && changedBytes > 0 ? f.writeBytes / changedBytes : null,
    perInterval: f.summary ?? summarizeSparse(f.series.values(), intervals, undefined, request.percentile),
  };
}

/** A group's capacity: the sum of its members' (with cells in the window), null if one is unknown. */
const groupCapacities = new WeakMap<ChurnPlan, Map<string, number | null>>();
function groupCapacity(plan: ChurnPlan, group: string): number | null {
  let known = groupCapacities.get(plan);
  if (known === undefined) {
    known = new Map();
    const members = new Map<string, string[]>();
    for (const { volume } of plan.volumes) {
      for (const g of groupsOf(plan.ctx.scope, volume)) members.set(g, [...(members.get(g) ?? []), volume]);
    }
    for (const name of plan.entities) {
      const list = members.get(name) ?? [];
      let capacity: number | null = list.length > 0 ? 0 : null;
      for (const v of list) {
        const c = plan.ctx.capacityBytes(v);
        capacity = capacity === null || c === null ? null : capacity + c;
      }
      known.set(name, capacity);
    }
    groupCapacities.set(plan, known);
  }
  return known.get(group) ?? null;
}

const datasetSizes = new WeakMap<ChurnPlan, Map<string, number>>();
function datasetBytes(plan: ChurnPlan, name: string): number {
  let sizes = datasetSizes.get(plan);
  if (sizes === undefined) {
    sizes = new Map();
    const datasets = selectDatasets(plan.ctx.scope, plan.request.datasets);
    const masks = datasets.map((d) => maskOf(d.extents, plan.ctx.trackBytes));
    const tracks = (m: Masks): number => [...m.values()].reduce((n, b) => n + b.count(), 0);
    datasets.forEach((d, i) => sizes!.set(d.name, tracks(masks[i]!) * plan.ctx.trackBytes));
    sizes.set(ALL_DATASETS, tracks(unionMasks(masks)) * plan.ctx.trackBytes);
    datasetSizes.set(plan, sizes);
  }
  return sizes.get(name) ?? 0;
}
