import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { FIXTURES, ROOT, tempDir } from '../helpers.js';

/** Flags and messages: runs --format, a zero link, one prefix per message, singular counts. */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const store = join(dir, 'tiny.db');

test('wording: collect of one record says "1 record", of ten "10 records"', async () => {
  const one = join(dir, 'one.msr.csv');
  writeFileSync(one, '134120448005000000,hostA,0,Write,0,4096,1234\n');
  const r = await runChild(['collect', one, '--store', join(dir, 'one.db')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], `run 1: collected 1 record from ${one} (msr) into ${join(dir, 'one.db')}`);
  const tiny = join(FIXTURES, 'tiny.msr.csv');
  const ten = await runChild(['collect', tiny, '--store', store]);
  assert.equal(ten.code, 0, ten.stderr);
  assert.equal(ten.stdout.split('\n')[0], `run 1: collected 10 records from ${tiny} (msr) into ${store}`);
});

test('wording: runs takes --format table|json; --json stays an alias', async () => {
  const json = await runChild(['runs', '--store', store, '--format', 'json']);
  const alias = await runChild(['runs', '--store', store, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stdout, alias.stdout);
  const runs = (JSON.parse(json.stdout) as { runs: { id: number; records: number }[] }).runs;
  assert.deepEqual(
    runs.map((r) => [r.id, r.records]),
    [[1, 10]],
  );
  const table = await runChild(['runs', '--store', store, '--format', 'table']);
  assert.equal(table.stdout, (await runChild(['runs', '--store', store])).stdout);
  assert.match(table.stdout, /^store .*: 1 min intervals, 64\.00 KiB tracks\n\n/);
  const csv = await runChild(['runs', '--store', store, '--format', 'csv']);
  assert.deepEqual([csv.code, csv.stderr], [2, 'churnlink runs: --format must be one of table, json; got "csv"\n']);
  const both = await runChild(['runs', '--store', store, '--json', '--format', 'table']);
  assert.deepEqual([both.code, both.stderr], [2, 'churnlink runs: --json contradicts --format table\n']);
});

test('wording: a link of 0 bit/s is refused as such, not as "not a bandwidth"', async () => {
  const r = await runChild(['report', '--store', store, '--link', '1x0Mbit']);
  assert.deepEqual([r.code, r.stderr], [2, 'churnlink report: link must be above 0 bit/s: "0Mbit"\n']);
  const bad = await runChild(['report', '--store', store, '--link', '1x-5Mbit']);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [2, 'churnlink report: link is not a bandwidth (e.g. 100Mbit, 1Gbit, T3, OC3, 1GbE): "-5Mbit"\n'],
  );
});

test('wording: an unknown data set or a stray argument is named once, without a second "report:"', async () => {
  const scoped = join(dir, 'scoped.db');
  const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');
  const c = await runChild(['collect', sample, '--store', scoped, '--scope', join(ROOT, 'samples', 'scope.yaml')]);
  assert.equal(c.code, 0, c.stderr);
  const r = await runChild(['report', '--store', scoped, '--by', 'dataset', '--dataset', 'nope']);
  assert.deepEqual([r.code, r.stderr], [2, 'churnlink report: unknown data set "nope"; declared: oltp-db, redo-log\n']);
  const stray = await runChild(['report', '--store', scoped, 'extra']);
  assert.deepEqual(
    [stray.code, stray.stderr],
    [2, 'churnlink report: unexpected argument "extra" (see churnlink report --help)\n'],
  );
});

test('wording: --threads takes auto (the default, as the README says) or a whole number', async () => {
  const tiny = join(FIXTURES, 'tiny.msr.csv');
  const auto = await runChild(['collect', tiny, '--store', join(dir, 'auto.db'), '--threads', 'auto']);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(
    auto.stdout.split('\n')[0],
    `run 1: collected 10 records from ${tiny} (msr) into ${join(dir, 'auto.db')}`,
  );
  for (const bad of ['0', '2.5', 'many']) {
    const r = await runChild(['collect', tiny, '--store', join(dir, 'bad.db'), '--threads', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`--threads must be auto or a whole number from 1 to 256; got "${bad}"`));
  }
});

test('wording: usage errors of collect, simulate, plan and live name the command once', async () => {
  const cases: [string[], string][] = [
    [
      ['collect', '--store', store],
      'churnlink collect: no input files (give FILE... or - for stdin; see churnlink collect --help)\n',
    ],
    [['collect', '-', '-', '--store', store], 'churnlink collect: stdin (-) can be read only once\n'],
    [['simulate', '--store', store], 'churnlink simulate: --link is required (e.g. --link 2x100Mbit)\n'],
    [['plan', '--store', store], 'churnlink plan: --rpo is required (e.g. --rpo 5m)\n'],
    [['live', '--store', store], 'churnlink live: give at least one --device (e.g. --device /dev/sdb)\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await runChild(args, { stdin: '' });
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', stderr], args.join(' '));
  }
});
