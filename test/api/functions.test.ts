import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import {
  churnReport,
  churnRows,
  collect,
  cycleLengths,
  htmlReport,
  linkSweep,
  openStore,
  planLink,
  renderChurn,
  renderModels,
  renderPlan,
  renderSimulation,
  replicationModels,
  simulateReplication,
  UsageError,
} from '../../src/index.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// Each library function against the CLI command built on the same layers, on the tiny trace
// (three 1-minute intervals).

const TINY = join(FIXTURES, 'tiny.msr.csv');

async function cliStore(): Promise<string> {
  const store = join(tempDir(), 'cli.db');
  assert.equal((await runCli('collect', TINY, '--store', store)).code, 0);
  return store;
}

async function cli(...argv: string[]): Promise<string> {
  const r = await runCli(...argv);
  assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('collect from a stream stores what churnlink collect stores from the file', async () => {
  const path = join(tempDir(), 'lib.db');
  const store = await openStore(path);
  try {
    const summary = await collect(store, [createReadStream(TINY)], { volumeName: 'tiny' });
    assert.equal(summary.intervals, 3);
    const rows = (await churnReport(store, { per: 'interval' })).rows;
    const json = await cli('report', '--store', await cliStore(), '--per', 'interval', '--format', 'json');
    const expected = JSON.parse(json) as { volume: string; startS: number; changedTracks: number; writes: number }[];
    assert.deepEqual(
      rows.map((r) => [r.startS, r.changedTracks, r.writes]),
      expected.map((r) => [r.startS, r.changedTracks, r.writes]),
    );
    const streamed = [];
    for await (const row of churnRows(store, { per: 'interval' })) streamed.push(row);
    assert.deepEqual(streamed, rows);
  } finally {
    await store.close();
  }
});

test('renderers and the planning functions print what the CLI prints', async () => {
  const path = await cliStore();
  const store = await openStore(path, { mustExist: true });
  try {
    const link = { paths: 1, pathBps: 1e6 };
    assert.equal(
      renderChurn(await churnReport(store, { resyncS: 600 }), 'table'),
      await cli('report', '--store', path, '--resync', '10m'),
    );
    assert.equal(
      renderChurn(await churnReport(store, { by: 'volume', per: 'interval' }), 'csv'),
      await cli('report', '--store', path, '--per', 'interval', '--format', 'csv'),
    );
    assert.equal(
      renderModels(await replicationModels(store, { periodS: 120 }), 'table'),
      await cli('report', '--store', path, '--models', '--period', '2m'),
    );
    assert.equal(
      renderSimulation(await simulateReplication(store, { link }), 'table'),
      await cli('simulate', '--store', path, '--link', '1x1Mbit'),
    );
    assert.equal(
      renderSimulation(await simulateReplication(store, { link }), 'csv'),
      await cli('simulate', '--store', path, '--link', '1x1Mbit', '--format', 'csv'),
    );
    assert.equal(
      renderPlan(await planLink(store, { targetRpoS: 120, pathBps: 1e6 }), 'table'),
      await cli('plan', '--store', path, '--rpo', '2m', '--path', '1Mbit'),
    );
    assert.deepEqual(
      await cycleLengths(store, { maxCycleS: 180 }),
      JSON.parse(await cli('cycles', '--store', path, '--max', '3m', '--format', 'json')),
    );
    const sweep = await linkSweep(store, { targetRpoS: 120, linkBps: 1e6, pathBps: 1e6 });
    const planned = JSON.parse(
      await cli('plan', '--store', path, '--rpo', '2m', '--path', '1Mbit', '--sweep', '--format', 'json'),
    ) as { sweep: unknown[]; linkBps: number };
    assert.equal(planned.linkBps, 1e6);
    assert.deepEqual(sweep, planned.sweep);
    assert.equal(
      await htmlReport(store, { link: { paths: 2, pathBps: 3e6 }, cycleS: 120 }),
      await cli('report', '--store', path, '--format', 'html', '--link', '2x3Mbit', '--cycle', '2m'),
    );
    const message = 'per 90 s is not a multiple of the 60 s collection interval';
    await assert.rejects(
      churnReport(store, { per: 90 }),
      (err: unknown) => err instanceof UsageError && err.message === message,
    );
  } finally {
    await store.close();
  }
});
