import { Bitset } from '../bitmap/bitset.js';
import { walkRoaring } from '../bitmap/roaring.js';
import { groupsOfVolume, type Scope } from '../scope/scope.js';
import { UsageError } from '../errors.js';
import { eachCount, type StoredRollup } from '../store/rollup.js';
import type { StoredChunk, VolumeSpan } from '../store/store.js';
import type { TimeRange } from '../units/time.js';
import { firstTrackOf, lastTrackOf } from '../units/track.js';
import { cellsOfPage, spanWindow, type CellSource, type PlacedCell } from './cells.js';
import { summarizeSparse, type SeriesSummary } from './percentile.js';
import { SparseSeries } from './sparse-series.js';
import { tileWindow } from './tiling.js';
import { TrackUnion } from './track-union.js';
import { BucketPlan, type Bucket, type Per } from './window.js';

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
  /** Leave out the rows of buckets without any cell (charts); default: dense, zeros included. */
  sparse?: boolean;
  /** Also give each row's per-interval figure at this percentile, in (0, 100] (nearest rank). */
  percentile?: number;
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

interface Sums {
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  changedTracks: number;
}

/** One entity's figures in one bucket, with the per-interval series kept sparse. */
interface Figures extends Sums {
  /** Non-zero per-interval values by interval start (group/data-set sums across volumes). */
  series: SparseSeries;
  /** A volume's summary of its series, taken when its bucket closes (the series is then dropped). */
  summary?: SeriesSummary;
}

type Masks = Map<string, Bitset>;

/** Most bytes of bitmaps held to be ORed together (container-major) before they are ORed in. */
const PENDING_BYTES = 4 << 20;

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
  const { buckets, ctx, request } = plan;
  const datasets = request.by === 'dataset' ? selectDatasets(ctx.scope, request.datasets) : [];
  const masks = datasets.map((d) => maskOf(d.extents, ctx.trackBytes));
  if (masks.length > 0) masks.push(unionMasks(masks));
  const results = new Map<number, Map<string, Figures>>(); // bucket index → entity → figures
  const union = new TrackUnion();
  // Per-interval counts inside a data set's mask are not rolled up: data sets read the fine cells.
  const levels = request.by === 'dataset' || source.rollups === undefined ? [] : (source.rollupLevelsS ?? []);
  for (const span of plan.volumes) {
    if (request.by === 'dataset' && !masks.some((m) => m.has(span.volume))) continue;
    const entities =
      request.by === 'volume' ? [span.volume] : request.by === 'group' ? groupsOf(ctx.scope, span.volume) : [];
    let index = -1;
    let sums = emptyFigures();
    // ORed parts (cells, chunk or period rollups) of the open bucket; a lone part's count is
    // stored, so the OR starts only once a second part comes.
    let parts = 0;
    let firstBits: Uint8Array | null = null;
    let firstTracks = 0;
    // Parts wait to be ORed together, container-major (TrackUnion.addAll), up to PENDING_BYTES.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPending = (): void => {
      if (pending.length > 0) union.addAll(pending);
      pending = [];
      pendingBytes = 0;
    };
    const hold = (bitmap: Uint8Array): void => {
      pending.push(bitmap);
      pendingBytes += bitmap.byteLength;
      if (pendingBytes >= PENDING_BYTES) flushPending();
    };
    const addBits = (bitmap: Uint8Array, tracks: number): void => {
      if (++parts === 1) {
        firstBits = bitmap;
        firstTracks = tracks;
        return;
      }
      if (parts === 2) hold(firstBits!);
      hold(bitmap);
    };
    let perMask: SparseSeries[] = masks.map(() => new SparseSeries());
    const close = (): void => {
      if (index < 0) return;
      flushPending();
      let bucket = results.get(index);
      if (bucket === undefined) results.set(index, (bucket = new Map()));
      if (request.by === 'dataset') {
        plan.entities.forEach((name, k) => {
          const mask = masks[k]!.get(span.volume);
          if (mask === undefined) return;
          const f = bucket!.get(name) ?? emptyFigures();
          bucket!.set(name, f);
          f.changedTracks += parts === 0 ? 0 : union.countAnd(mask);
          f.series.addSeries(perMask[k]!);
        });
      } else {
        sums.changedTracks = parts === 1 ? firstTracks : union.count();
        if (request.by === 'volume') {
          // The volume is the row's only contributor: summarize now, keep no series until output.
          const b = buckets.bucket(index);
          sums.summary = summarizeSparse(
            sums.series.values(),
            (b.endS - b.startS) / ctx.intervalS,
            undefined,
            request.percentile,
          );
          sums.series = new SparseSeries();
        }
        for (const e of entities) {
          const f = bucket.get(e);
          if (f === undefined) bucket.set(e, entities.length === 1 ? sums : copyFigures(sums));
          else mergeFigures(f, sums);
        }
      }
      union.clear();
      sums = emptyFigures();
      parts = 0;
      firstBits = null;
      perMask = masks.map(() => new SparseSeries());
    };
    const addCell = (cell: PlacedCell): void => {
      const b = buckets.indexOf(cell.startS);
      if (b !== index) {
        close();
        index = b;
      }
      sums.writes += cell.writes;
      sums.writeBytes += cell.writeBytes;
      sums.reads += cell.reads;
      sums.readBytes += cell.readBytes;
      addToSeries(sums.series, cell.startS, cell.changedTracks);
      if (request.by === 'dataset') {
        parts++;
        union.add(cell.bitmap);
      } else addBits(cell.bitmap, cell.changedTracks);
      masks.forEach((m, k) => {
        const mask = m.get(span.volume);
        if (mask === undefined) return;
        const n = countInMask(cell.bitmap, mask);
        perMask[k]!.add(cell.startS, n);
      });
    };
    // A whole chunk of one run inside one bucket is answered by its rollup: counters summed and
    // the OR of its bitmaps, stored; only the per-interval counts are read from its intervals.
    const addRollup = (chunk: StoredChunk): void => {
      const b = buckets.indexOf(chunk.intervals[0]!.startS);
      if (b !== index) {
        close();
        index = b;
      }
      sums.writes += chunk.writes;
      sums.writeBytes += chunk.writeBytes;
      sums.reads += chunk.reads;
      sums.readBytes += chunk.readBytes;
      for (const r of chunk.intervals) addToSeries(sums.series, r.startS, r.changedTracks);
      addBits(chunk.orBitmap, chunk.changedTracks);
    };
    let group: StoredChunk[] = [];
    const flushGroup = (): void => {
      const only = group.length === 1 ? group[0]! : null;
      if (
        only !== null &&
        request.by !== 'dataset' &&
        only.intervals.length === only.cells &&
        only.cells > 1 &&
        buckets.indexOf(only.intervals[0]!.startS) === buckets.indexOf(only.intervals.at(-1)!.startS)
      ) {
        addRollup(only);
      } else {
        // Several runs share the chunk, or it crosses an edge: merge its intervals exactly.
        const rows = group.flatMap((c) => c.intervals).sort((a, b) => a.startS - b.startS);
        for (const cell of cellsOfPage(rows)) addCell(cell);
      }
      group = [];
    };
    // A period's stored rollup (hour, day) whole inside one bucket: counters, OR and per-cell counts.
    const addPeriod = (r: StoredRollup): void => {
      const b = buckets.indexOf(r.periodS);
      if (b !== index) {
        close();
        index = b;
      }
      sums.writes += r.writes;
      sums.writeBytes += r.writeBytes;
      sums.reads += r.reads;
      sums.readBytes += r.readBytes;
      eachCount(r, (startS, tracks) => addToSeries(sums.series, startS, tracks));
      addBits(r.orBitmap, r.changedTracks);
    };
    const fromS = Math.max(buckets.firstS, span.firstS);
    const toS = Math.min(buckets.endS, span.lastS + ctx.intervalS);
    for (const tile of tileWindow(fromS, toS, request.per === null ? null : buckets.stepS, levels)) {
      if (tile.levelS > 0) {
        // A period that is a whole bucket is alone in it: its stored count is the answer, no OR.
        const alone = request.per !== null && buckets.stepS === tile.levelS;
        for await (const page of source.rollups!(span.volume, tile.levelS, tile.fromS, tile.toS, !alone)) {
          for (const r of page) addPeriod(r);
        }
        continue;
      }
      for await (const page of source.chunks(span.volume, tile.fromS, tile.toS)) {
        for (const chunk of page) {
          if (group.length > 0 && group[0]!.chunkS !== chunk.chunkS) flushGroup();
          group.push(chunk);
        }
      }
      if (group.length > 0) flushGroup();
    }
    close();
  }
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

function emptyFigures(): Figures {
  return { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, changedTracks: 0, series: new SparseSeries() };
}

function copyFigures(f: Figures): Figures {
  return { ...f, series: f.series.copy() };
}

function mergeFigures(into: Figures, f: Figures): void {
  into.writes += f.writes;
  into.writeBytes += f.writeBytes;
  into.reads += f.reads;
  into.readBytes += f.readBytes;
  into.changedTracks += f.changedTracks;
  into.series.addSeries(f.series);
}

function addToSeries(series: SparseSeries, startS: number, tracks: number): void {
  if (tracks > 0) series.add(startS, tracks);
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

/** Groups of a volume, or (ungrouped). */
function groupsOf(scope: Scope, volume: string): string[] {
  const groups = groupsOfVolume(scope, volume);
  return groups.length === 0 ? [UNGROUPED] : groups;
}

/** Group rows: every declared group, then (ungrouped) when a volume belongs to none. */
function groupNames(scope: Scope, volumes: string[]): string[] {
  const names = scope.groups.map((g) => g.name);
  if (volumes.some((v) => groupsOfVolume(scope, v).length === 0)) names.push(UNGROUPED);
  return names;
}

function selectDatasets(scope: Scope, names: string[] | null): Scope['datasets'] {
  if (scope.datasets.length === 0) {
    throw new UsageError('report by dataset: the scope declares no data sets (give a scope with data sets)');
  }
  if (names === null) return scope.datasets;
  return names.map((n) => {
    const d = scope.datasets.find((x) => x.name === n);
    if (!d) throw new UsageError(`unknown data set "${n}"; declared: ${scope.datasets.map((x) => x.name).join(', ')}`);
    return d;
  });
}

/** Tracks overlapped by a data set's extents, per volume. */
export function maskOf(extents: Scope['datasets'][number]['extents'], trackBytes: number): Masks {
  const masks: Masks = new Map();
  for (const e of extents) {
    let m = masks.get(e.volume);
    if (m === undefined) masks.set(e.volume, (m = new Bitset()));
    m.setRange(firstTrackOf(e.offsetBytes, trackBytes), lastTrackOf(e.offsetBytes, e.lengthBytes, trackBytes) + 1);
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

/** Tracks of a serialized bitmap inside `mask`. */
function countInMask(blob: Uint8Array, mask: Bitset): number {
  let n = 0;
  walkRoaring(blob, {
    range(first, last) {
      n += mask.countRange(first, last + 1);
    },
  });
  return n;
}
