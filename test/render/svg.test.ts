import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, niceTicks } from '../../src/render/svg.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

test('nice ticks round the top up to 1, 2 or 5 x 10^k', () => {
  assert.deepEqual(niceTicks(9.5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(84 / 60), [0, 0.5, 1, 1.5]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  assert.deepEqual(niceTicks(1234), [0, 500, 1000, 1500]);
});

/** Charts of the tiny trace must match the committed snapshots byte for byte (UTC, 0.1 px). */
test('svg charts match their snapshots', async () => {
  const store = join(tempDir(), 'snap.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--interval', '1m')).code, 0);
  const changed = await runCli('report', '--store', store, '--format', 'svg', '--chart', 'changed');
  assert.equal(changed.stdout, readFileSync(join(FIXTURES, 'snapshots', 'tiny-changed.svg'), 'utf8'));
  const rpo = await runCli(
    'report',
    '--store',
    store,
    '--format',
    'svg',
    '--chart',
    'rpo',
    '--link',
    '2x64kbit',
    '--target',
    '2m',
  );
  assert.equal(rpo.stdout, readFileSync(join(FIXTURES, 'snapshots', 'tiny-rpo.svg'), 'utf8'));
  // The RPO steps: 59 s, 84 s, 68 s per interval, then 64 s in 180..184 s until the last change
  // lands at 184.1 s (hand-computed: 128 kbit/s carries 16,000 B/s); 64 s = 1.07 min -> y 138.7.
  // Each interval is its own step: 4 intervals over 780 px, 195 px each (x 72, 267, 462, 657, 852).
  assert.match(rpo.stdout, /<path d="M72,147\.8H267V102H462V131\.3H657V138\.7H852"/);
  const missing = await runCli('report', '--store', store, '--format', 'svg', '--chart', 'rpo');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--chart rpo needs --link/);
});

test('lines that coincide stay visible: the first drawn widest and solid, later ones thinner and dashed', () => {
  const svg = lineChart(
    [1, 2],
    [
      { name: 'busiest cycle', values: [3, 1] },
      { name: 'p95 cycle', values: [3, 1] },
    ],
    { title: 't', yLabel: 'y', xTitle: 'cycle length', xLabel: String },
  );
  const paths = [...svg.matchAll(/<path d="[^"]*" ([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(paths, [
    'fill="none" stroke="#4e79a7" stroke-width="3.5"',
    'fill="none" stroke="#f28e2b" stroke-width="2.5" stroke-dasharray="9 4"',
  ]);
});
