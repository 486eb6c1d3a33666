import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundTicks, textWidthPx, thinLabels, timeTickLabels } from '../../src/render/axis.js';

const T0 = Date.UTC(2026, 0, 5) / 1000; // Monday 2026-01-05T00:00:00Z
const H = 3600;
const D = 86400;

test('time ticks: the smallest round step leaving at most 7 steps, on whole multiples in UTC', () => {
  assert.deepEqual(roundTicks(T0, T0 + 2 * H, 7), { stepS: 1800, ticksS: [0, 1, 2, 3, 4].map((k) => T0 + k * 1800) });
  // 1 day from 00:01:40: 3 h would be 8 steps, so 6 h; the ticks start at the first 6 h boundary.
  assert.deepEqual(roundTicks(T0 + 100, T0 + 100 + D, 7), {
    stepS: 6 * H,
    ticksS: [1, 2, 3, 4].map((k) => T0 + k * 6 * H),
  });
  // The Tencent sample's window: 15:59 to 16:01 (2 min): 30 s steps.
  const t = Date.UTC(2018, 8, 30, 15, 59) / 1000;
  assert.deepEqual(roundTicks(t, t + 120, 7), { stepS: 30, ticksS: [0, 30, 60, 90, 120].map((k) => t + k) });
  assert.deepEqual(roundTicks(T0 + 7 * 60, T0 + 52 * 60, 7).stepS, 600); // 45 min: 10 min steps
  assert.deepEqual(roundTicks(T0, T0 + 10 * D, 7), {
    stepS: 2 * D,
    ticksS: [0, 2, 4, 6, 8, 10].map((k) => T0 + k * D),
  });
  // 30 days: weekly ticks on Mondays 00:00 UTC (2026-01-05 is one), not on Thursdays (the epoch's day).
  assert.deepEqual(roundTicks(T0 - 3 * D, T0 + 27 * D, 7), {
    stepS: 7 * D,
    ticksS: [0, 7, 14, 21].map((k) => T0 + k * D),
  });
  // 100 days: 100 / 7 = 14.3 days a step at least, so 3 weeks.
  assert.equal(roundTicks(T0, T0 + 100 * D, 7).stepS, 21 * D);
  // A duration axis (cycle lengths 5 min .. 1 h) counts from 0.
  assert.deepEqual(roundTicks(300, 3600, 7, false), { stepS: 600, ticksS: [600, 1200, 1800, 2400, 3000, 3600] });
});

test('time tick labels: UTC clock, the date on the first tick and on each new day', () => {
  assert.deepEqual(
    timeTickLabels(
      [-1, 0, 1, 2, 3].map((k) => T0 + k * 1800),
      1800,
    ),
    ['01-04 23:30', '01-05 00:00', '00:30', '01:00', '01:30'],
  );
  assert.deepEqual(timeTickLabels([T0, T0 + 30], 30), ['01-05 00:00:00', '00:00:30']);
  assert.deepEqual(timeTickLabels([T0, T0 + 2 * D], 2 * D), ['2026-01-05', '2026-01-07']);
});

test('labels are thinned so none overlap; first and last kept', () => {
  // '100' at 11 px: 3 digits x 560/1000 em x 11 px x 1.1 = 20.328 px wide, so 10.164 px each side.
  assert.equal(textWidthPx('100', 11), 3 * 0.56 * 11 * 1.1);
  const at = (xs: number[]) => xs.map((x) => ({ x, label: '100' }));
  // 15 px apart: 15 - 10.164 < 10.164 + 8 overlaps; 30 px apart clears; 45 would crowd the last at 60.
  assert.deepEqual(
    thinLabels(at([0, 15, 30, 45, 60]), 11).map((l) => l.x),
    [0, 30, 60],
  );
  assert.deepEqual(
    thinLabels(at([0, 10]), 11).map((l) => l.x),
    [0, 10],
  ); // two: both (nothing to choose)
  assert.deepEqual(
    thinLabels(at([0, 10, 20]), 11).map((l) => l.x),
    [0],
  );
});
