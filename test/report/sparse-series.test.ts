import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SparseSeries } from '../../src/report/sparse-series.js';

// A sparse series against a plain model: a map from start to summed value, zeros left out.
type Model = Map<number, number>;

function modelArrays(m: Model): { starts: number[]; values: number[] } {
  const keys = [...m.keys()].filter((k) => m.get(k) !== 0).sort((a, b) => a - b);
  return { starts: keys, values: keys.map((k) => m.get(k)!) };
}

const adds = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 9 })), { maxLength: 30 });

test('add and addSeries (in place, appended or merged) sum by start, as a map would', () => {
  fc.assert(
    fc.property(fc.array(adds, { minLength: 1, maxLength: 6 }), fc.boolean(), (lists, sorted) => {
      const series: SparseSeries[] = [];
      const models: Model[] = [];
      for (const list of lists) {
        const items = sorted ? [...list].sort((x, y) => x[0] - y[0]) : list;
        const s = new SparseSeries();
        const m: Model = new Map();
        for (const [start, value] of items) {
          s.add(start * 60, value);
          if (value !== 0) m.set(start * 60, (m.get(start * 60) ?? 0) + value);
        }
        series.push(s);
        models.push(m);
      }
      // Fold every series into the first, as a group sums its volumes.
      const total = series[0]!;
      const model = models[0]!;
      for (let k = 1; k < series.length; k++) {
        total.addSeries(series[k]!);
        for (const [start, value] of models[k]!) model.set(start, (model.get(start) ?? 0) + value);
        // The added series is unchanged.
        const { starts, values } = series[k]!.toArrays();
        assert.deepEqual({ starts: [...starts], values: [...values] }, modelArrays(models[k]!));
      }
      const { starts, values } = total.toArrays();
      assert.deepEqual({ starts: [...starts], values: [...values] }, modelArrays(model));
      assert.deepEqual([...total.values()], modelArrays(model).values);
      const back = SparseSeries.fromArrays(starts, values);
      assert.deepEqual([...back.values()], modelArrays(model).values);
    }),
    { numRuns: 2000 },
  );
});

test('a series whose starts are all present is added in place, by hand', () => {
  const group = new SparseSeries();
  [0, 60, 120, 180].forEach((s, i) => group.add(s, i + 1)); // 1 2 3 4
  const volume = new SparseSeries();
  volume.add(60, 10);
  volume.add(180, 20);
  group.addSeries(volume);
  assert.deepEqual([...group.values()], [1, 12, 3, 24]);
  const other = new SparseSeries();
  other.add(90, 5); // not a start of the group: merged into new arrays
  other.add(120, 1);
  group.addSeries(other);
  assert.deepEqual([...group.toArrays().starts], [0, 60, 90, 120, 180]);
  assert.deepEqual([...group.values()], [1, 12, 5, 4, 24]);
});
