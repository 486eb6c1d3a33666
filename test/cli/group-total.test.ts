import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const store = join(dir, 'g.db');
const collected = runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--interval', '1m');

async function groupTable(groups: string): Promise<string[]> {
  assert.equal((await collected).code, 0);
  const scope = join(dir, `${groups.length}.yaml`);
  writeFileSync(scope, `groups:\n${groups}`);
  const r = await runCli('report', '--store', store, '--by', 'group', '--scope', scope, '--link', '64kbit');
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n');
}

test('report --by group: a total row summing the groups, exact when each volume is in one group', async () => {
  const lines = await groupTable('  - { name: g1, volumes: [hostA_0] }\n  - { name: g2, volumes: [hostA_1] }\n');
  // The volume table's total row (report --link 64kbit): 8 writes, 202.50 KiB written, 6 changed
  // tracks, 384.00 KiB changed, fold 0.53, resync 49 s: hostA_0 4 tracks + hostA_1 2 tracks.
  const total = lines.find((l) => l.startsWith('total '))!;
  assert.deepEqual(total.split(/ {2,}/),
    ['total', '8', '202.50 KiB', '6', '384.00 KiB', '-', '0.53', '-', '-', '49 s']);
  assert.equal(lines.filter((l) => /^g[12] /.test(l)).length, 2);
  assert.ok(lines.includes('total: sums over the groups; each volume is in one group, so the total changed tracks are '
    + 'exactly'), lines.join('\n'));
});

test('report --by group: a volume in two groups is counted in each, and the note says so', async () => {
  const lines = await groupTable('  - { name: g1, volumes: [hostA_*] }\n  - { name: g2, volumes: [hostA_1] }\n');
  // g1: 6 tracks (both volumes), g2: 2 tracks (hostA_1 again): the sum, 8, counts hostA_1 twice.
  const total = lines.find((l) => l.startsWith('total '))!;
  assert.equal(total.split(/ {2,}/)[3], '8');
  assert.ok(lines.includes('total: sums over the groups; 1 volume is in several groups and counted in each,'));
});
