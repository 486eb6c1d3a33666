import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, sharedMissing, SHARED_TRACES, tempDir } from '../helpers.js';

const dir = tempDir();
const tiny = join(dir, 'tiny.db');
const collected = runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', tiny, '--interval', '1m');

/** The html report's headline paragraph. */
async function headline(...args: string[]): Promise<string> {
  assert.equal((await collected).code, 0);
  const out = join(dir, 'h.html');
  const r = await runCli('report', '--store', tiny, '--format', 'html', '-o', out, ...args);
  assert.equal(r.code, 0, r.stderr);
  return /<p class="headline" id="headline">(.*)<\/p>/.exec(readFileSync(out, 'utf8'))?.[1] ?? '(none)';
}

const noTencent = sharedMissing('real/tencent_cbs_sample.csv');
test(
  'Tencent CBS sample (two 1 min intervals): the changed chart covers exactly two interval widths',
  { skip: noTencent },
  async () => {
    const store = join(dir, 'tencent.db');
    const c = await runCli(
      'collect',
      join(SHARED_TRACES, 'real', 'tencent_cbs_sample.csv'),
      '--store',
      store,
      '--interval',
      '1m',
    );
    assert.equal(c.code, 0, c.stderr);
    const svg = (await runCli('report', '--store', store, '--format', 'svg', '--chart', 'changed')).stdout;
    const d = /<g class="data"><path d="([^"]*)"/.exec(svg)?.[1] ?? '';
    // The window 15:59 .. 16:01 spans the plot's 780 px: each 1 min interval is 390 px wide,
    // the first from x 72 to 462, the second from 462 to 852, then back along the base to 72.
    assert.match(d, /^M72,[\d.]+H462V[\d.]+H852V256H72Z$/);
    const labels = [...svg.matchAll(/<g class="x-ticks">(.*?)<\/g>/g)][0]?.[1]?.match(/(?<=>)[^<]+(?=<\/text>)/g);
    assert.deepEqual(labels, ['09-30 15:59:00', '15:59:30', '16:00:00', '16:00:30', '16:01:00']);
    assert.match(svg, /<text class="x-title" [^>]*>time \(UTC\)<\/text>/);
  },
);

test('the given link is marked on the bandwidth curve where its resync time is', async () => {
  assert.equal((await collected).code, 0);
  const svg = (await runCli('report', '--store', tiny, '--format', 'svg', '--chart', 'bandwidth', '--link', '1x1kbit'))
    .stdout;
  // 384 KiB changed: 393,216 B x 8 / 1,000 bit/s = 3,145.7 s (52 min 26 s). The log axis runs from
  // 5 min to 1 d: x = 72 + 780 ln(3145.728 / 300) / ln(86400 / 300) = 395.7; y: 0.001 Mbit/s on a
  // 0 .. 0.015 scale (the curve peaks at 10,485.76 bit/s at 5 min) = 256 - 220 / 15 = 241.3.
  assert.match(svg, /<circle cx="395\.7" cy="241\.3" r="5" fill="#c00"\/>/);
  assert.match(svg, />given link 1 x 1\.00 kbit\/s: 52 min 26 s<\/text>/);
  assert.match(svg, />resync time \(log scale\)<\/text>/);
});

test('a fast link: the x range reaches its resync time, so the marker sits on the plot', async () => {
  assert.equal((await collected).code, 0);
  const svg = (await runCli('report', '--store', tiny, '--format', 'svg', '--chart', 'bandwidth', '--link', '1x1Gbit'))
    .stdout;
  // 393,216 B x 8 / 1e9 bit/s = 3.146 ms. The log axis runs from 3.146 / 1.5 = 2.097 ms to 1 d:
  // x = 72 + 780 ln(1.5) / ln(86400 / 0.002097152) = 90.0 (right of the y axis at 72). The curve
  // peaks at 1.5 x 1,000 Mbit/s there: y ticks 0 .. 1500 by 500, so the marker's y = 256 - 220 x 1000 / 1500.
  assert.match(svg, /<circle cx="90" cy="109\.3" r="5" fill="#c00"\/>/);
  assert.match(
    svg,
    /<text x="99" y="101\.3" font-size="11" fill="#c00" text-anchor="start">given link 1 x 1\.00 Gbit\/s: 3 ms<\/text>/,
  );
  const yTicks = [...svg.matchAll(/<text x="66" y="[\d.]+" font-size="11" text-anchor="end">([^<]*)<\/text>/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(yTicks, ['0', '500', '1000', '1500']);
  const xLabels = [...svg.matchAll(/<g class="x-ticks">(.*?)<\/g>/g)][0]?.[1]?.match(/(?<=>)[^<]+(?=<\/text>)/g);
  assert.equal(xLabels?.[0], '10 ms');
});

test('the html headline gives the figures the tables print', async () => {
  // report --models: asynchronous, 1 min: peak per span 384.00 KiB, required (peak) 52.43 kbit/s.
  assert.equal(
    await headline(),
    'Peak changed data: 384.00 KiB in one 1 min cycle, which needs 52.43 kbit/s to ship within the cycle.',
  );
  // report --resync 1m (total row: 384 KiB x 8 / 60 s = 52.43 kbit/s).
  assert.equal(
    await headline('--resync', '1m'),
    'Peak changed data: 384.00 KiB in one 1 min cycle, which needs 52.43 kbit/s to ship within the cycle. ' +
      'Resynchronizing all 384.00 KiB changed in this window within 1 min needs 52.43 kbit/s.',
  );
  // report --link 64kbit: total row resync 49 s; simulate --link 64kbit --cycle 1m: p99 1 min 48 s, max 1 min 49 s.
  assert.equal(
    await headline('--link', '64kbit', '--cycle', '1m'),
    'The given link, 1 x 64.00 kbit/s, resynchronizes the 384.00 KiB changed in this window in 49 s; ' +
      'with 1 min cycles its RPO is p99 1 min 48 s, max 1 min 49 s.',
  );
  // plan --rpo 2m --percentile 99 --cycle 1m: 52.43 kbit/s, RPO p99 1 min 58 s.
  assert.equal(
    await headline('--target', '2m', '--cycle', '1m'),
    'Buy 52.43 kbit/s: RPO p99 1 min 58 s against the 2 min target, with 1 min cycles.',
  );
});

test('--target with --path: the html headline plans whole paths, as plan --path does', async () => {
  // plan --rpo 2m --cycle 1m needs 52.43 kbit/s: ceil(52,430 / 32,000) = 2 paths of 32 kbit/s = 64 kbit/s,
  // whose RPO (simulate --link 64kbit --cycle 1m, above) is p99 1 min 48 s.
  assert.equal(
    await headline('--target', '2m', '--cycle', '1m', '--path', '32kbit'),
    'Buy 2 paths of 32.00 kbit/s = 64.00 kbit/s: RPO p99 1 min 48 s against the 2 min target, with 1 min cycles.',
  );
  const svg = await runCli('report', '--store', tiny, '--format', 'svg', '--target', '2m', '--path', '32kbit');
  assert.equal(svg.code, 0, svg.stderr);
  // Without --target (or --resync) the paths answer nothing: still refused, naming both ways.
  const bare = await runCli('report', '--store', tiny, '--format', 'html', '--path', '32kbit');
  assert.equal(bare.code, 2);
  assert.equal(
    bare.stderr,
    'churnlink report: --path needs --resync: the number of paths depends on how fast the ' +
      'changes must be sent (or, with --format html, --target: the paths of the link planned for that RPO)\n',
  );
});

test("a target the window cannot judge: the planner's reason, naming --target, and the rest stays", async () => {
  assert.equal(
    await headline('--target', '5m'),
    'No link planned for the 5 min target: the window (180 s) is too short ' +
      'to judge --target 300 s: it must span at least the target plus one cycle (360 s) for RPO to be able to exceed ' +
      'the target inside it.',
  );
});

test('changed and written charts share one y scale, so the fold shows as a difference in height', async () => {
  assert.equal((await collected).code, 0);
  const yTicks = async (chart: string): Promise<string[]> => {
    const svg = (await runCli('report', '--store', tiny, '--format', 'svg', '--chart', chart)).stdout;
    const tick = /<text x="66" y="[\d.]+" font-size="11" text-anchor="end">([^<]*)<\/text>/g;
    return [...svg.matchAll(tick)].map((m) => m[1]!);
  };
  // The tallest stack of either: 384 KiB changed in the first minute = 0.375 MiB, so ticks to 0.4 in both.
  const expected = ['0', '0.1', '0.2', '0.3', '0.4'];
  assert.deepEqual(await yTicks('changed'), expected);
  assert.deepEqual(await yTicks('written'), expected);
});

test('a standalone changes chart names the chart it shares its scale with; on the page, both', async () => {
  assert.equal((await collected).code, 0);
  const yLabel = (svg: string): string[] =>
    [...svg.matchAll(/transform="rotate\(-90 14 [\d.]+\)" text-anchor="middle">(MiB [^<]*)<\/text>/g)].map(
      (m) => m[1]!,
    );
  const changed = (await runCli('report', '--store', tiny, '--format', 'svg', '--chart', 'changed')).stdout;
  assert.deepEqual(yLabel(changed), ['MiB changed (same scale as the written chart)']);
  const written = (await runCli('report', '--store', tiny, '--format', 'svg', '--chart', 'written')).stdout;
  assert.deepEqual(yLabel(written), ['MiB written (same scale as the changed chart)']);
  const page = (await runCli('report', '--store', tiny, '--format', 'html')).stdout;
  assert.deepEqual(yLabel(page), [
    'MiB changed (same scale in both charts)',
    'MiB written (same scale in both charts)',
  ]);
});
