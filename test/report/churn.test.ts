import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellsFromRows, memoryCellSource } from '../../src/report/cells.js';
import { computeChurn, type ChurnRequest } from '../../src/report/churn.js';
import type { Scope } from '../../src/scope/scope.js';
import { writeCell as row } from '../support/cells.js';

const T = 65536;
const rows = [row('a', 0, [1, 2, 3]), row('a', 60, [3, 4]), row('b', 0, [10]), row('c', 60, [1, 2])];
const scope: Scope = {
  volumes: null,
  groups: [{ name: 'g1', volumes: ['a', 'b'] }],
  datasets: [
    { name: 'ds1', extents: [{ volume: 'a', offsetBytes: 2 * T, lengthBytes: 2 * T }] },
    {
      name: 'ds2',
      extents: [
        { volume: 'a', offsetBytes: 3 * T, lengthBytes: 2 * T },
        { volume: 'c', offsetBytes: 0, lengthBytes: T + 1 },
      ],
    },
  ],
};
const ctx = { intervalS: 60, trackBytes: T, scope, capacityBytes: (v: string) => (v === 'a' ? 1 << 20 : null) };
const run = (req: Partial<ChurnRequest>) =>
  computeChurn(
    memoryCellSource(cellsFromRows(rows, () => true)),
    { by: 'volume', per: null, range: null, datasets: null, ...req },
    ctx,
  );
const pick = (r: Awaited<ReturnType<typeof run>>[number]) => [
  r.startS,
  r.name,
  r.changedTracks,
  r.writes,
  r.perInterval.peak,
  r.perInterval.p50,
  r.perInterval.p95,
];

test('by volume: OR over the window, sums of counters, percentiles of per-interval counts', async () => {
  const out = await run({});
  assert.deepEqual(out.map(pick), [
    [0, 'a', 4, 5, 3, 2, 3],
    [0, 'b', 1, 1, 1, 0, 1],
    [0, 'c', 2, 2, 2, 0, 2],
  ]);
  const a = out[0]!;
  assert.equal(a.endS, 120);
  assert.equal(a.changedBytes, 4 * T);
  assert.equal(a.capacityBytes, 1 << 20);
  assert.equal(a.percentChanged, 25);
  assert.equal(a.foldRatio, 20480 / (4 * T));
  assert.equal(out[1]!.percentChanged, null);
});

test("by group: the sum of its volumes' OR counts; ungrouped volumes get their own row", async () => {
  assert.deepEqual((await run({ by: 'group' })).map(pick), [
    [0, 'g1', 5, 6, 4, 2, 4],
    [0, '(ungrouped)', 2, 2, 2, 0, 2],
  ]);
});

test('by data set: OR restricted to the extents, then the OR of all selected', async () => {
  const out = await run({ by: 'dataset' });
  assert.deepEqual(
    out.map((r) => [r.name, r.kind, r.changedTracks, r.capacityBytes, r.writes, r.perInterval.peak]),
    [
      ['ds1', 'dataset', 2, 2 * T, null, 2],
      ['ds2', 'dataset', 3, 4 * T, null, 3], // interval 60: a{3,4} and c{1} inside the extents
      ['(all selected)', 'all-datasets', 4, 5 * T, null, 3],
    ],
  );
  assert.deepEqual(
    (await run({ by: 'dataset', datasets: ['ds2'] })).map((r) => [r.name, r.changedTracks]),
    [
      ['ds2', 3],
      ['(all selected)', 3],
    ],
  );
  await assert.rejects(run({ by: 'dataset', datasets: ['nope'] }), /unknown data set "nope"; declared: ds1, ds2/);
});

test('per interval: a dense series, every volume in every interval', async () => {
  assert.deepEqual(
    (await run({ per: 'interval' })).map((r) => [r.startS, r.name, r.changedTracks]),
    [
      [0, 'a', 3],
      [0, 'b', 1],
      [0, 'c', 0],
      [60, 'a', 2],
      [60, 'b', 0],
      [60, 'c', 2],
    ],
  );
});

test('a window restricts the intervals; per window ORs within each window', async () => {
  assert.deepEqual(
    (await run({ range: { fromS: 60, toS: 120 } })).map((r) => [r.name, r.changedTracks]),
    [
      ['a', 2],
      ['c', 2],
    ],
  );
  assert.deepEqual(
    (await run({ per: 120 })).map((r) => [r.startS, r.endS, r.name, r.changedTracks]),
    [
      [0, 120, 'a', 4],
      [0, 120, 'b', 1],
      [0, 120, 'c', 2],
    ],
  );
});

test('rows of two runs for one (volume, interval) are merged exactly', async () => {
  const cells = cellsFromRows([row('a', 0, [1, 2]), row('a', 0, [2, 3])], () => true);
  const cell = cells.get('a')!.get(0)!;
  assert.equal(cell.changedTracks, 3);
  assert.equal(cell.writes, 4);
});
