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
  assert.deepEqual(total.split(/ {2,}/), [
    'total',
    '8',
    '202.50 KiB',
    '6',
    '384.00 KiB',
    '-',
    '0.53',
    '-',
    '-',
    '49 s',
  ]);
  assert.equal(lines.filter((l) => /^g[12] /.test(l)).length, 2);
  assert.deepEqual(lines.slice(lines.indexOf(total) + 1), [
    'total: sums over the groups (writes, written, changed tracks and changed); fold and resync of those sums;',
    "each volume is in one group, so these are exactly those of all the groups' volumes together",
    '(peak and percentiles per interval do not add: -)',
    '',
  ]);
});

test('report --by group: a volume in two groups is counted in each, and the note says so', async () => {
  const lines = await groupTable('  - { name: g1, volumes: [hostA_*] }\n  - { name: g2, volumes: [hostA_1] }\n');
  // g1: 6 tracks (both volumes), g2: 2 tracks (hostA_1 again): the sum, 8, counts hostA_1 twice.
  const total = lines.find((l) => l.startsWith('total '))!;
  // Writes too (report --by volume: hostA_0 6 writes, 74.00 KiB; hostA_1 2 writes, 128.50 KiB): g1 8 writes,
  // 202.50 KiB, g2 hostA_1's 2 writes, 128.50 KiB again: 10 writes, 331.00 KiB where the data has 8, 202.50 KiB.
  assert.deepEqual(total.split(/ {2,}/).slice(0, 5), ['total', '10', '331.00 KiB', '8', '512.00 KiB']);
  assert.deepEqual(lines.slice(lines.indexOf(total) + 1), [
    'total: sums over the groups (writes, written, changed tracks and changed); fold and resync of those sums;',
    '1 volume is in several groups and counted in each: hostA_1 (g1, g2),',
    'so these count it more than once (report --by volume gives the distinct totals)',
    '',
  ]);
});

test('report --by group: with every capacity known the note names % of size among the figures of the sums', async () => {
  assert.equal((await collected).code, 0);
  const scope = join(dir, 'sized.yaml');
  writeFileSync(
    scope,
    'volumes:\n  - { name: hostA_0, capacity: 1MiB }\n  - { name: hostA_1, capacity: 1MiB }\n' +
      'groups:\n  - { name: g1, volumes: [hostA_0] }\n  - { name: g2, volumes: [hostA_1] }\n',
  );
  const r = await runCli('report', '--store', store, '--by', 'group', '--scope', scope);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const total = lines.find((l) => l.startsWith('total '))!;
  // 384.00 KiB changed of 2 MiB: 18.75 %.
  assert.deepEqual(total.split(/ {2,}/).slice(0, 7), ['total', '8', '202.50 KiB', '6', '384.00 KiB', '18.75', '0.53']);
  assert.equal(
    lines[lines.indexOf(total) + 1],
    'total: sums over the groups (writes, written, changed tracks and changed); % of size and fold of those sums;',
  );
});

test('html: overlapping groups are named above the stacked charts, which count them in each', async () => {
  assert.equal((await collected).code, 0);
  const scope = join(dir, 'overlap.yaml');
  writeFileSync(scope, 'groups:\n  - { name: g1, volumes: [hostA_*] }\n  - { name: g2, volumes: [hostA_1] }\n');
  const page = (await runCli('report', '--store', store, '--format', 'html', '--scope', scope)).stdout;
  assert.equal(
    /<p class="note" id="overlap">(.*)<\/p>/.exec(page)?.[1],
    'Overlapping groups: 1 volume is in several groups and counted in each: hostA_1 (g1, g2). The stacks below add ' +
      'its changes and writes once per group, so they add up to more than the distinct changes.',
  );
  const disjoint = join(dir, 'disjoint.yaml');
  writeFileSync(disjoint, 'groups:\n  - { name: g1, volumes: [hostA_0] }\n  - { name: g2, volumes: [hostA_1] }\n');
  const plain = await runCli('report', '--store', store, '--format', 'html', '--scope', disjoint);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /id="overlap"/);
});

test('html --group: the page names the group, and the legends hold only the groups shown', async () => {
  assert.equal((await collected).code, 0);
  const scope = join(dir, 'two.yaml');
  writeFileSync(scope, 'groups:\n  - { name: g1, volumes: [hostA_0] }\n  - { name: g2, volumes: [hostA_1] }\n');
  const legend = (page: string, id: string): string[] => {
    const section = new RegExp(`<section id="${id}">(.*?)</section>`, 's').exec(page)?.[1] ?? '';
    return [...section.matchAll(/width="18" height="10" fill="[^"]+"\/><text [^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1]!,
    );
  };
  const one = await runCli('report', '--store', store, '--format', 'html', '--scope', scope, '--group', 'g2');
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual([legend(one.stdout, 'changed'), legend(one.stdout, 'written')], [['g2'], ['g2']]);
  assert.match(one.stdout, /<p class="meta">Group g2 only \(its volumes\) · Store /);
  assert.match(one.stdout, /<h1>churnlink: write churn and replication link report, group g2<\/h1>/);
  const all = await runCli('report', '--store', store, '--format', 'html', '--scope', scope);
  assert.deepEqual(
    [legend(all.stdout, 'changed'), legend(all.stdout, 'written')],
    [
      ['g1', 'g2'],
      ['g1', 'g2'],
    ],
  );
  assert.match(all.stdout, /<p class="meta">Store /);
});
