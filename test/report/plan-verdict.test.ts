import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { cellsFromRows } from '../../src/report/cells.js';
import { Timeline } from '../../src/report/timeline.js';
import { meetsTarget, rpoAtPercentileS, simulate } from '../../src/report/simulate.js';
import { planLink } from '../../src/report/plan.js';
import { MissWatch, type RpoTooth } from '../../src/report/rpo.js';
import type { ChangedRanges, CycleChanges } from '../../src/report/changes.js';
import type { IntervalRow } from '../../src/store/store.js';

const T = 65536;
const I = 60;
const params = { overhead: 0, compression: 1, efficiency: 1 };

/** Interval i writes tracks [offset[i], offset[i] + count[i]) of one volume (rewrites fold). */
function timeline(cells: { count: number; offset: number }[]): Timeline {
  const rows: IntervalRow[] = [];
  cells.forEach((c, i) => {
    if (c.count === 0) return;
    const list = Uint32Array.from({ length: c.count }, (_, k) => c.offset + k);
    rows.push({
      volume: 'v',
      startS: i * I,
      writes: c.count,
      writeBytes: c.count * T,
      reads: 0,
      readBytes: 0,
      changedTracks: c.count,
      bitmap: serializeRoaring(list),
      writeProfile: new Uint8Array(4),
    });
  });
  return new Timeline(
    cellsFromRows(rows, () => true),
    I,
    T,
    0,
    cells.length * I,
  );
}

/** Counts the runs asked of a timeline longer than `longS`. */
function counting(inner: CycleChanges, longS: number): { changes: CycleChanges; long: () => number } {
  let long = 0;
  const changes: CycleChanges = {
    firstS: inner.firstS,
    endS: inner.endS,
    intervalS: inner.intervalS,
    trackBytes: inner.trackBytes,
    perIntervalCompression: inner.perIntervalCompression,
    nextActiveS: (s) => inner.nextActiveS(s),
    changed: (fromS, toS, markS): ChangedRanges | Promise<ChangedRanges> => {
      if (toS - fromS > longS) long++;
      return inner.changed(fromS, toS, markS);
    },
    writtenBytes: () => inner.writtenBytes(),
    prepareCycles: (s) => inner.prepareCycles?.(s),
    close: () => inner.close(),
  };
  return { changes, long: () => long };
}

test('miss watch: decides a miss only when no tail of the samples can bring the percentile back', () => {
  // Window [0, 1000) s, target 100 s, p99: at most 101 tail samples at or under the target, so
  // n = 1101, rank ceil(0.99 × 1101) = 1090, and 1101 − 1090 = 11 samples above may still meet.
  const teeth: RpoTooth[] = [];
  const watch = new MissWatch(teeth, 0, 1000, 100, 99);
  teeth.push({ startS: 0, count: 112, firstRpoS: 0, repeats: 1, periodS: 112 }); // RPO 0..111: 11 above
  assert.equal(watch.missed(), false);
  teeth.push({ startS: 112, count: 1, firstRpoS: 0, repeats: 1, periodS: 1 }); // RPO 0: none above
  assert.equal(watch.missed(), false);
  teeth.push({ startS: 113, count: 2, firstRpoS: 101, repeats: 1, periodS: 2 }); // 13 above
  assert.equal(watch.missed(), true);
  // Samples past the window's end do not count: only the tail bound does.
  const late: RpoTooth[] = [{ startS: 990, count: 500, firstRpoS: 990, repeats: 1, periodS: 500 }];
  const lateWatch = new MissWatch(late, 0, 1000, 100, 99);
  assert.equal(lateWatch.missed(), false); // 10 samples above inside the window
  // The maximum (p100): one sample above decides.
  const maxTeeth: RpoTooth[] = [{ startS: 0, count: 101, firstRpoS: 0, repeats: 1, periodS: 101 }];
  assert.equal(new MissWatch(maxTeeth, 0, 1000, 100, 100).missed(), false);
  maxTeeth.push({ startS: 101, count: 1, firstRpoS: 101, repeats: 1, periodS: 1 });
  assert.equal(new MissWatch(maxTeeth, 0, 1000, 100, 100).missed(), true);
  // Folded idle cycles: 3 repeats of a 300 s cycle, RPO 0..299, 199 above target each.
  const idle: RpoTooth[] = [{ startS: 0, count: 300, firstRpoS: 0, repeats: 3, periodS: 300 }];
  assert.equal(new MissWatch(idle, 0, 1000, 100, 50).missed(), true); // 597 > 1101 − 551 = 550
  assert.equal(new MissWatch(idle, 0, 1000, 100, 40).missed(), false); // 597 <= 1101 − 441 = 660
});

test('meetsTarget gives the verdict of the whole simulation on random changes and links', async () => {
  const cellArb = fc.record({ count: fc.integer({ min: 0, max: 400 }), offset: fc.integer({ min: 0, max: 600 }) });
  await fc.assert(
    fc.asyncProperty(
      fc.array(cellArb, { minLength: 1, maxLength: 240 }),
      fc.integer({ min: 1, max: 5 }), // cycle in intervals
      fc.double({ min: 3, max: 11, noNaN: true }), // log10 of the link's bit/s
      fc.integer({ min: 30, max: 1800 }), // target (s)
      fc.constantFrom(50, 90, 95, 99, 99.9, 100, 73.5),
      fc.array(fc.record({ fromK: fc.integer({ min: 0, max: 240 }), lengthK: fc.integer({ min: 1, max: 30 }) }), {
        maxLength: 2,
      }),
      async (cells, cycleK, logBps, targetS, percentile, outageKs) => {
        const changes = timeline(cells);
        const outages = outageKs.map((o) => ({ fromS: o.fromK * I, toS: (o.fromK + o.lengthK) * I }));
        const options = { cycleS: cycleK * I, linkBps: 10 ** logBps, params, outages, targetS };
        const full = await simulate(changes, options);
        const expected = rpoAtPercentileS(full, percentile) <= targetS;
        assert.equal(await meetsTarget(changes, options, percentile), expected);
      },
    ),
    { numRuns: 400 },
  );
});

test('plan: a candidate far too slow is judged on its first cycles, never on runs past the grid', async () => {
  // 2 days of 1-minute intervals, 100 tracks each (50 rewritten from the interval before): the
  // planned link carries 5-minute cycles of at most 300 tracks, so no cycle it simulates
  // runs past 12 cycles; a candidate of 1 bit/s would otherwise ship its first cycle past the
  // window's end and read the rest of the window as its second cycle.
  const cells = Array.from({ length: 2 * 1440 }, (_, i) => ({ count: 100, offset: 50 * i }));
  const { changes, long } = counting(timeline(cells), 12 * 300);
  const simulation = { cycleS: 300, params, outages: [] };
  const plan = await planLink(changes, { targetRpoS: 900, percentile: 99, pathBps: null, simulation });
  assert.equal(long(), 0);
  // The figure found meets the target by the full simulation.
  const full = await simulate(timeline(cells), { ...simulation, linkBps: plan.requiredBps, targetS: 900 });
  assert.ok(rpoAtPercentileS(full, 99) <= 900);
});
