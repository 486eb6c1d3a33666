import type { SeriesSummary } from './percentile.js';
import { SparseSeries } from './sparse-series.js';

/** Counters of one entity over one bucket. */
export interface Sums {
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  changedTracks: number;
}

/** One entity's figures in one bucket, with the per-interval series kept sparse. */
export interface Figures extends Sums {
  /** Non-zero per-interval values by interval start (group/data-set sums across volumes). */
  series: SparseSeries;
  /** A volume's summary of its series, taken when its bucket closes (the series is then dropped). */
  summary?: SeriesSummary;
}

/** Figures by bucket index, then by entity. */
export type BucketFigures = Map<number, Map<string, Figures>>;

export function emptyFigures(): Figures {
  return { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, changedTracks: 0, series: new SparseSeries() };
}

export function copyFigures(f: Figures): Figures {
  return { ...f, series: f.series.copy() };
}

/**
 * Add `f` into `into`: counters and series summed. Every figure is a whole number (counts of
 * records, bytes and tracks), so the sums are exact in any order: figures folded on several
 * threads and merged give the single thread's.
 */
export function mergeFigures(into: Figures, f: Figures): void {
  into.writes += f.writes;
  into.writeBytes += f.writeBytes;
  into.reads += f.reads;
  into.readBytes += f.readBytes;
  into.changedTracks += f.changedTracks;
  into.series.addSeries(f.series);
}

/** Merge figures folded elsewhere (another thread's volumes) into `into`. */
export function mergeBucketFigures(into: BucketFigures, from: BucketFigures): void {
  for (const [index, entities] of from) {
    let bucket = into.get(index);
    if (bucket === undefined) into.set(index, (bucket = new Map()));
    for (const [name, f] of entities) {
      const have = bucket.get(name);
      if (have === undefined) bucket.set(name, f);
      else mergeFigures(have, f);
    }
  }
}

/** Figures as plain data for another thread (structured clone): series as typed arrays. */
export interface WireFigures extends Sums {
  starts: Float64Array;
  values: Float64Array;
  summary?: SeriesSummary;
}

export function toWire(figures: BucketFigures): [number, [string, WireFigures][]][] {
  return [...figures].map(([index, entities]) => [
    index,
    [...entities].map(([name, f]) => {
      const { starts, values } = f.series.toArrays();
      const { series: _series, ...rest } = f;
      return [name, { ...rest, starts, values }];
    }),
  ]);
}

export function fromWire(wire: [number, [string, WireFigures][]][]): BucketFigures {
  return new Map(
    wire.map(([index, entities]) => [
      index,
      new Map(
        entities.map(([name, w]) => {
          const { starts, values, ...rest } = w;
          return [name, { ...rest, series: SparseSeries.fromArrays(starts, values) }];
        }),
      ),
    ]),
  );
}
