import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// The tiny trace holds 2026-01-05T00:00:00Z to 00:03:00Z (three 1-minute intervals).
const HELD = 'it holds 2026-01-05T00:00:00Z to 2026-01-05T00:03:00Z (UTC)';

async function tinyStore(): Promise<string> {
  const store = join(tempDir(), 'w.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store)).code, 0);
  return store;
}

test('a --window without collected intervals fails the same way in report, simulate and plan, naming the range held', async () => {
  const store = await tinyStore();
  const window = ['--window', '2026-02-01T00:00Z/1h'];
  const message =
    'no collected intervals in 2026-02-01T00:00:00Z to 2026-02-01T01:00:00Z for this selection; ' + `${HELD}\n`;
  for (const argv of [
    ['report'],
    ['report', '--format', 'csv'],
    ['simulate', '--link', '1x1Mbit'],
    ['plan', '--rpo', '5m'],
  ]) {
    const r = await runCli(argv[0]!, '--store', store, ...window, ...argv.slice(1));
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr, `churnlink ${argv[0]}: ${message}`);
  }
  // A window that overlaps the data still reports.
  assert.equal((await runCli('report', '--store', store, '--window', '2026-01-05T00:01Z/1h')).code, 0);
});

test('simulate --outage outside the data warns that it changes nothing; one inside does not', async () => {
  const store = await tinyStore();
  const outside = await runCli('simulate', '--store', store, '--link', '1x1Mbit', '--outage', '2026-01-05T10:00Z/2h');
  assert.equal(outside.code, 0, outside.stderr);
  assert.equal(
    outside.stderr,
    'warning: --outage 2026-01-05T10:00:00Z to 2026-01-05T12:00:00Z is outside the data ' +
      'window 2026-01-05T00:00:00Z to 2026-01-05T00:03:00Z: it changes nothing\n',
  );
  const inside = await runCli('simulate', '--store', store, '--link', '1x1Mbit', '--outage', '2026-01-05T00:01Z/1m');
  assert.equal(inside.code, 0, inside.stderr);
  assert.equal(inside.stderr, '');
});

test('a --group that matches no volume says it holds no intervals at all (no stray time zone)', async () => {
  const store = await tinyStore();
  const scope = join(tempDir(), 'none.json');
  writeFileSync(scope, JSON.stringify({ groups: [{ name: 'none', volumes: ['zzz*'] }] }));
  for (const argv of [['simulate', '--link', '1x1Mbit'], ['cycles']]) {
    const r = await runCli(argv[0]!, '--store', store, '--scope', scope, '--group', 'none', ...argv.slice(1));
    assert.equal(r.code, 2, r.stdout);
    assert.equal(
      r.stderr,
      `churnlink ${argv[0]}: no collected intervals for this selection; it holds no intervals at all\n`,
    );
  }
});
