import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { memoryCellSource, storeCellSource, type CellMap } from '../../src/report/cells.js';
import { scanModels } from '../../src/report/model-scan.js';
import { ModelSums } from '../../src/report/model-sums.js';
import type { ModelRow } from '../../src/report/models.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { tempDir } from '../helpers.js';

/**
 * `scanModels` (report --models) against the test's own computation from the drawn cells: the
 * written bytes of every second summed over the volumes and slid over the sync window, and each
 * cycle's and period's tracks as a union of sets, per volume, on random SQLite stores — one
 * thread and two (a worker with its own connection), several runs holding the same chunks,
 * periods of one chunk (its stored count), of hours and days (the rollups) and others (ORed),
 * windows cutting chunks. Bytes in halves are not integers: the in-order path answers those.
 */
const dir = tempDir();
let n = 0;
const TRACK_BYTES = 65536;
const PARAMS = { overhead: 0, compression: 1, efficiency: 1 };

interface DrawnCell {
  volume: number;
  slot: number;
  tracks: number[];
  block: number | undefined;
  profile: { second: number; bytes: number }[];
}

interface Truth {
  volume: string;
  startS: number;
  tracks: Set<number>;
  writeBytes: number;
  /** Absolute second → bytes. */
  seconds: Map<number, number>;
}

/** Nearest-rank percentile of a sorted list (the smallest value with p % at or below it). */
function rank(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function rowOf(model: ModelRow['model'], spanS: number, values: number[], total: number, written: number) {
  const sorted = Float64Array.from(values).sort();
  const peak = sorted.length === 0 ? 0 : Math.max(0, sorted[sorted.length - 1]!);
  const p95 = rank(sorted, 95);
  return {
    model,
    spanS,
    count: values.length,
    peakBytes: peak,
    p95Bytes: p95,
    totalBytes: total,
    requiredBandwidthBps: (8 * peak) / spanS,
    p95BandwidthBps: (8 * p95) / spanS,
    foldRatio: total > 0 ? written / total : 1,
  };
}

/** The three rows from the cells, computed directly: dense seconds, sets per span. */
function expectedRows(
  cells: Truth[],
  firstS: number,
  endS: number,
  o: { syncWindowS: number; cycleS: number; periodS: number },
) {
  const inWindow = cells.filter((c) => c.startS >= firstS && c.startS < endS);
  const written = inWindow.reduce((s, c) => s + c.writeBytes, 0);
  const lengthS = endS - firstS;
  const perSecond = new Array<number>(lengthS).fill(0);
  for (const c of inWindow) for (const [s, b] of c.seconds) if (s < endS) perSecond[s - firstS]! += b;
  const w = Math.min(o.syncWindowS, lengthS);
  // Window sums as differences of prefix sums (exact here: integers and halves far below 2^53).
  const prefix = [0];
  for (let k = 0; k < lengthS; k++) prefix.push(prefix[k]! + perSecond[k]!);
  const sync: number[] = [];
  for (let s = 0; s + w <= lengthS; s++) sync.push(prefix[s + w]! - prefix[s]!);
  const spans = (spanS: number): [number[], number] => {
    const alignedS = Math.floor(firstS / spanS) * spanS;
    const values: number[] = [];
    for (let s = alignedS; s < endS; s += spanS) {
      const byVolume = new Map<string, Set<number>>();
      for (const c of inWindow) {
        if (c.startS < s || c.startS >= s + spanS) continue;
        const set = byVolume.get(c.volume) ?? new Set<number>();
        byVolume.set(c.volume, set);
        c.tracks.forEach((t) => set.add(t));
      }
      let bytes = 0;
      for (const set of byVolume.values()) bytes += set.size * TRACK_BYTES;
      values.push(bytes);
    }
    return [values, values.reduce((a, b) => a + b, 0)];
  };
  const [cycles, cycleTotal] = spans(o.cycleS);
  const [periods, periodTotal] = spans(o.periodS);
  return [
    rowOf('synchronous', o.syncWindowS, sync, written, written),
    rowOf('asynchronous', o.cycleS, cycles, cycleTotal, written),
    rowOf('periodic', o.periodS, periods, periodTotal, written),
  ];
}

const cellArb = (intervalS: number, slots: number) =>
  fc.record({
    volume: fc.integer({ min: 0, max: 2 }),
    slot: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: slots - 1 })),
    tracks: fc.uniqueArray(
      fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 65_530, max: 65_545 }), fc.constant(300_000)),
      { maxLength: 6 },
    ),
    // Sometimes 300 consecutive tracks (a run container), overlapping another cell's: spans past
    // SpanUnion's small list (512 tracks) are ORed, smaller ones counted from their values.
    block: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined, freq: 3 }),
    profile: fc.array(
      fc.record({ second: fc.integer({ min: 0, max: intervalS - 1 }), bytes: fc.integer({ min: 1, max: 1e6 }) }),
      { maxLength: 5 },
    ),
  });

const spec = fc
  .record({
    intervalS: fc.constantFrom(60, 60, 30, 300),
    halves: fc.boolean(),
    window: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    cycleIntervals: fc.constantFrom(1, 1, 2, 5, 60),
    periodPick: fc.constantFrom('chunk', 'hour', 'day', 'odd'),
    syncWindowS: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 400 })),
    // 2: this thread and a worker share the volumes; 3: two workers read them all.
    threads: fc.constantFrom(1, 2, 3),
  })
  .chain((s) => {
    const slots = Math.floor((2 * 86_400) / s.intervalS);
    return fc.record({
      s: fc.constant(s),
      runs: fc.array(fc.array(cellArb(s.intervalS, slots), { minLength: 1, maxLength: 40 }), {
        minLength: 1,
        maxLength: 2,
      }),
    });
  });

test('models: every row equals the sums and set unions of the drawn cells (random SQLite stores, 1 and 2 threads)', async () => {
  await fc.assert(
    fc.asyncProperty(spec, async ({ s, runs }) => {
      const { intervalS } = s;
      const path = join(dir, `models-${n++}.db`);
      const store = new SqliteStore(path);
      try {
        await store.useSettings({ intervalS, trackBytes: TRACK_BYTES });
        const slots = Math.floor((2 * 86_400) / intervalS);
        const truth = new Map<string, Truth>();
        for (const cells of runs) {
          const id = await store.beginRun('h', []);
          const rows: IntervalRow[] = [];
          const mine = new Map<string, IntervalRow>();
          for (const drawn of cells as DrawnCell[]) {
            const block =
              drawn.block === undefined ? [] : Array.from({ length: 300 }, (_, i) => 70_000 + 150 * drawn.block! + i);
            const c = { ...drawn, tracks: [...new Set([...drawn.tracks, ...block])] };
            const volume = `v${c.volume}`;
            const startS = (c.slot % slots) * intervalS;
            const perSecond = new Float64Array(intervalS);
            for (const e of c.profile) perSecond[e.second]! += s.halves ? e.bytes + 0.5 : e.bytes;
            const key = `${volume}@${startS}`;
            const t = truth.get(key) ?? { volume, startS, tracks: new Set(), writeBytes: 0, seconds: new Map() };
            truth.set(key, t);
            c.tracks.forEach((x) => t.tracks.add(x));
            let writeBytes = 0;
            perSecond.forEach((b, k) => {
              if (b === 0) return;
              writeBytes += b;
              t.seconds.set(startS + k, (t.seconds.get(startS + k) ?? 0) + b);
            });
            t.writeBytes += writeBytes;
            // One run writes a cell once: a slot drawn twice in a run is merged here first.
            const before = mine.get(key);
            const tracks = [...new Set([...(before === undefined ? [] : decodeTracks(before)), ...c.tracks])];
            const row: IntervalRow = {
              volume,
              startS,
              writes: 1,
              writeBytes: (before?.writeBytes ?? 0) + writeBytes,
              reads: 0,
              readBytes: 0,
              changedTracks: tracks.length,
              bitmap: serializeRoaring(Uint32Array.from(tracks).sort()),
              writeProfile: encodeProfile(addProfiles(before, perSecond)),
              partial: false,
            };
            mine.set(key, row);
          }
          rows.push(...mine.values());
          await store.writeIntervals(id, rows);
          await store.finishRun(id, { records: rows.length, skipped: 0 }, [], []);
        }
        const source = await storeCellSource(store, () => true);
        const volumes = await source.spans(null, null);
        const [u, v] = s.window;
        const fromS = Math.floor(Math.min(u, v) * 2 * 86_400);
        const toS = Math.max(fromS + 1, Math.ceil(Math.max(u, v) * 2 * 86_400));
        const cycleS = s.cycleIntervals * intervalS;
        const periodS = { chunk: 60 * intervalS, hour: 3600, day: 86_400, odd: 7 * intervalS }[s.periodPick];
        const options = { syncWindowS: s.syncWindowS, cycleS, periodS, params: PARAMS };
        const request = { ...options, intervalS, trackBytes: TRACK_BYTES, fromS, toS };
        const firstS = Math.floor(fromS / intervalS) * intervalS;
        const endS = Math.ceil(toS / intervalS) * intervalS;
        const want = expectedRows([...truth.values()], firstS, endS, options);
        const threads = s.threads === 1 ? undefined : { count: s.threads, workersOnly: s.threads === 3 };
        assert.deepEqual(await scanModels(source, volumes, { ...request, threads }), want, 'store');
        // The same through a source without packed chunks (as PostgreSQL reads): the cells path.
        const memory: CellMap = new Map();
        for await (const page of source.cells(
          volumes.map((x) => x.volume),
          0,
          3 * 86_400,
          true,
        )) {
          for (const c of page) {
            const m = memory.get(c.volume) ?? new Map();
            memory.set(c.volume, m.set(c.startS, c));
          }
        }
        assert.deepEqual(await scanModels(memoryCellSource(memory), volumes, request), want, 'cells');
      } finally {
        await store.close();
      }
    }),
    { numRuns: 60 },
  );
});

/** The tracks of a row drawn earlier in the same run (kept as its bitmap). */
function decodeTracks(row: IntervalRow): number[] {
  return [...decodeRoaring(row.bitmap)];
}

function addProfiles(before: IntervalRow | undefined, perSecond: Float64Array): Float64Array {
  const sum = Float64Array.from(perSecond);
  if (before === undefined) return sum;
  const view = new DataView(before.writeProfile.buffer, before.writeProfile.byteOffset);
  for (let i = 0, p = 4; i < view.getUint32(0, true); i++, p += 12) {
    sum[view.getUint32(p, true)]! += view.getFloat64(p + 4, true);
  }
  return sum;
}

test('models sums: exact only for non-negative integer bytes whose totals stay within 2^53', () => {
  const profile = (entries: [number, number][]): DataView => {
    const view = new DataView(new ArrayBuffer(4 + 12 * entries.length));
    view.setUint32(0, entries.length, true);
    entries.forEach(([s, b], i) => {
      view.setUint32(4 + 12 * i, s, true);
      view.setFloat64(8 + 12 * i, b, true);
    });
    return view;
  };
  const sumsOf = (entries: [number, number][], writeBytes = 1, trackBytes = 4096): ModelSums => {
    const sums = new ModelSums(0, 120, [60, 120], trackBytes);
    const view = profile(entries);
    sums.addProfile(view, 0, view.byteLength, 0);
    sums.addWritten(writeBytes);
    return sums;
  };
  assert.equal(
    sumsOf([
      [0, 5],
      [59, 2 ** 52],
    ]).isExact(),
    true,
  );
  assert.equal(sumsOf([[0, 0.5]]).isExact(), false);
  assert.equal(sumsOf([[0, -1]]).isExact(), false);
  assert.equal(
    sumsOf([
      [0, 2 ** 52],
      [1, 2 ** 52],
    ]).isExact(),
    false,
  ); // 2^53 is past the exact range
  assert.equal(sumsOf([[0, 1]], 1.5).isExact(), false);
  assert.equal(sumsOf([[0, 1]], 1, 0.5).isExact(), false);
  // A second past the window's end is left out, as the in-order path leaves it.
  const late = sumsOf([
    [119, 3],
    [130, 7],
  ]);
  assert.deepEqual([late.perSecond[119], late.profileBytes], [3, 3]);
});

test('models: a window past 62 days is summed in order (sparse seconds), the same rows as the cells give', async () => {
  const path = join(dir, `models-long-${n++}.db`);
  const store = new SqliteStore(path);
  try {
    await store.useSettings({ intervalS: 60, trackBytes: TRACK_BYTES });
    const id = await store.beginRun('h', []);
    const cells: Truth[] = [];
    const rows: IntervalRow[] = [];
    for (const [volume, startS, tracks, second, bytes] of [
      ['a', 0, [1, 2], 5, 1000],
      ['a', 60, [2, 3], 0, 500],
      ['b', 70 * 86_400, [7], 59, 2 ** 40],
    ] as const) {
      const perSecond = new Float64Array(60);
      perSecond[second] = bytes;
      cells.push({
        volume,
        startS,
        tracks: new Set(tracks),
        writeBytes: bytes,
        seconds: new Map([[startS + second, bytes]]),
      });
      rows.push({
        volume,
        startS,
        writes: 1,
        writeBytes: bytes,
        reads: 0,
        readBytes: 0,
        changedTracks: tracks.length,
        bitmap: serializeRoaring(Uint32Array.from(tracks)),
        writeProfile: encodeProfile(perSecond),
        partial: false,
      });
    }
    await store.writeIntervals(id, rows);
    await store.finishRun(id, { records: 3, skipped: 0 }, [], []);
    const source = await storeCellSource(store, () => true);
    const volumes = await source.spans(null, null);
    const options = { syncWindowS: 120, cycleS: 120, periodS: 3600, params: PARAMS };
    const endS = 70 * 86_400 + 60;
    const request = { ...options, intervalS: 60, trackBytes: TRACK_BYTES, fromS: 0, toS: endS };
    const got = await scanModels(source, volumes, { ...request, threads: { count: 2 } });
    assert.deepEqual(got, expectedRows(cells, 0, endS, options));
  } finally {
    await store.close();
  }
});
