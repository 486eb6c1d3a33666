import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  churnReport,
  churnRows,
  collect,
  cycleLengths,
  htmlReport,
  linkSweep,
  openStore,
  pathsNeeded,
  planLink,
  renderChurn,
  renderModels,
  renderPlan,
  renderSimulation,
  replicationModels,
  requiredBandwidthBps,
  resyncSeconds,
  simulateReplication,
  sizeLink,
  UsageError,
  type Store,
} from '../../src/index.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// The library refuses a bad parameter with a UsageError naming it and the value given; the CLI says
// the flag instead. The tiny trace: three 1-minute intervals, 64 KiB tracks.

const TINY = join(FIXTURES, 'tiny.msr.csv');
const P = { overhead: 0, compression: 1, efficiency: 1 };
const LINK = { paths: 1, pathBps: 1e6 };

const usage =
  (message: string) =>
  (err: unknown): boolean => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.message, message);
    return true;
  };

async function withTiny(work: (store: Store, path: string) => Promise<void>): Promise<void> {
  const path = join(tempDir(), 'v.db');
  assert.equal((await runCli('collect', TINY, '--store', path)).code, 0);
  const store = await openStore(path);
  try {
    await work(store, path);
  } finally {
    await store.close();
  }
}

test('churnReport and churnRows refuse bad options, naming the parameter and the value', async () => {
  await withTiny(async (store) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ by: 'bogus' }, 'by must be one of volume, group, dataset; got "bogus"'],
      [{ resyncS: -5 }, 'resyncS must be a number above 0; got -5'],
      [{ resyncS: '30m' }, 'resyncS must be a number above 0; got "30m"'],
      [{ resyncS: Number.NaN }, 'resyncS must be a number above 0; got NaN'],
      [{ resyncS: 60, pathBps: 0 }, 'pathBps must be a number above 0; got 0'],
      [{ link: { paths: 0, pathBps: 1e6 } }, 'link.paths must be a whole number >= 1; got 0'],
      [{ link: { paths: 2, pathBps: -1 } }, 'link.pathBps must be a number above 0; got -1'],
      [{ link: '2x100Mbit' }, 'link must be an object { paths, pathBps }; got "2x100Mbit"'],
      [{ params: { compression: 0 } }, 'params.compression must be a number >= 1; got 0'],
      [{ params: { efficiency: 2 } }, 'params.efficiency must be a number in (0, 1]; got 2'],
      [{ params: { overhead: -0.1 } }, 'params.overhead must be a number >= 0; got -0.1'],
      [{ params: { growth: -1 } }, 'params.growth must be a number >= 0; got -1'],
      [{ percentile: 500 }, 'percentile must be a number in (0, 100]; got 500'],
      [{ percentile: 0 }, 'percentile must be a number in (0, 100]; got 0'],
      [{ per: 'hour' }, 'per must be null, "interval" or a number of seconds above 0; got "hour"'],
      [{ per: -60 }, 'per must be a number above 0; got -60'],
      [{ window: { fromS: 600, toS: 0 } }, 'window.toS must be a number above window.fromS (600); got 0'],
      [{ exclude: 'swap' }, 'exclude must be an array of strings; got "swap"'],
      [{ datasets: 'db' }, 'datasets must be an array of strings; got "db"'],
      [{ threads: 0 }, 'threads must be a whole number >= 1; got 0'],
      [{ threads: 'two' }, 'threads must be a whole number >= 1; got "two"'],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(churnReport(store, options as never), usage(message), JSON.stringify(options));
      await assert.rejects(churnRows(store, options as never).next(), usage(message), JSON.stringify(options));
    }
  });
});

test('simulateReplication refuses a missing link, a bad target and an outage ending before it starts', async () => {
  await withTiny(async (store) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ cycleS: 300 }, 'link must be an object { paths, pathBps }; got undefined'],
      [{ link: LINK, targetS: -1 }, 'targetS must be a number above 0; got -1'],
      [{ link: LINK, targetS: 0 }, 'targetS must be a number above 0; got 0'],
      [{ link: LINK, cycleS: '5m' }, 'cycleS must be a number above 0; got "5m"'],
      [
        { link: LINK, outages: [{ fromS: 200, toS: 100 }] },
        'outages[0].toS must be a number above outages[0].fromS (200); got 100',
      ],
      [{ link: LINK, outages: { fromS: 0, toS: 60 } }, 'outages must be an array; got {"fromS":0,"toS":60}'],
      [{ link: LINK, percentile: 101 }, 'percentile must be a number in (0, 100]; got 101'],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(simulateReplication(store, options as never), usage(message), JSON.stringify(options));
    }
    await assert.rejects(
      simulateReplication(store, undefined as never),
      usage('options must be an object; got undefined'),
    );
  });
});

test('planLink, linkSweep, replicationModels, cycleLengths and htmlReport name their own parameters', async () => {
  await withTiny(async (store) => {
    await assert.rejects(
      planLink(store, { targetRpoS: 120, pathBps: -1 }),
      usage('pathBps must be a number above 0; got -1'),
    );
    await assert.rejects(planLink(store, { targetRpoS: -120 }), usage('targetRpoS must be a number above 0; got -120'));
    await assert.rejects(planLink(store, {} as never), usage('targetRpoS must be a number above 0; got undefined'));
    await assert.rejects(
      linkSweep(store, { targetRpoS: 120, linkBps: 0 }),
      usage('linkBps must be a number above 0; got 0'),
    );
    await assert.rejects(
      replicationModels(store, { syncWindowS: -1 }),
      usage('syncWindowS must be a number above 0; got -1'),
    );
    await assert.rejects(replicationModels(store, { periodS: 0 }), usage('periodS must be a number above 0; got 0'));
    await assert.rejects(cycleLengths(store, { maxCycleS: -60 }), usage('maxCycleS must be a number above 0; got -60'));
    await assert.rejects(htmlReport(store, { targetS: -5 }), usage('targetS must be a number above 0; got -5'));
    await assert.rejects(htmlReport(store, { resyncS: -5 }), usage('resyncS must be a number above 0; got -5'));
  });
});

test('renderers refuse a format they do not have', async () => {
  await withTiny(async (store) => {
    const report = await churnReport(store);
    assert.throws(
      () => renderChurn(report, 'xml' as never),
      usage('format must be one of table, csv, json; got "xml"'),
    );
    const plan = await planLink(store, { targetRpoS: 60, percentile: 50 });
    assert.throws(() => renderPlan(plan, 'csv' as never), usage('format must be one of table, json; got "csv"'));
    const simulation = await simulateReplication(store, { link: LINK });
    assert.throws(
      () => renderSimulation(simulation, 'html' as never),
      usage('format must be one of table, csv, json; got "html"'),
    );
    const models = await replicationModels(store);
    assert.throws(
      () => renderModels(models, undefined as never),
      usage('format must be one of table, csv, json; got undefined'),
    );
  });
});

test('the exported link math refuses negative times and paths, and computes good ones', () => {
  assert.throws(() => requiredBandwidthBps(1000, -1, P), usage('resyncS must be a number above 0; got -1'));
  assert.throws(() => requiredBandwidthBps(-1, 1, P), usage('changedBytes must be a number >= 0; got -1'));
  assert.throws(
    () => requiredBandwidthBps(1000, 1, { ...P, efficiency: 0 }),
    usage('params.efficiency must be a number in (0, 1]; got 0'),
  );
  assert.throws(
    () => requiredBandwidthBps(1000, 1, { overhead: 0 } as never),
    usage('params.compression must be a number >= 1; got undefined'),
  );
  assert.throws(() => pathsNeeded(1000, -1), usage('pathBps must be a number above 0; got -1'));
  assert.throws(
    () => resyncSeconds(1000, { paths: 0, pathBps: 1 }, P),
    usage('link.paths must be a whole number >= 1; got 0'),
  );
  assert.throws(
    () => sizeLink(1000, { resyncS: -1, pathBps: null, link: null, params: P }),
    usage('request.resyncS must be a number above 0; got -1'),
  );
  // 1000 B in 2 s: 8000 bit / 2 s = 4000 bit/s; on 1500 bit/s paths: ceil(2.67) = 3;
  // 8000 bit over 2 × 2000 bit/s: 2 s.
  assert.equal(requiredBandwidthBps(1000, 2, P), 4000);
  assert.equal(pathsNeeded(4000, 1500), 3);
  assert.equal(resyncSeconds(1000, { paths: 2, pathBps: 2000 }, P), 2);
  assert.deepEqual(sizeLink(1000, { resyncS: 2, pathBps: 1500, link: null, params: P }), {
    requiredBandwidthBps: 4000,
    pathBps: 1500,
    paths: 3,
    requiredPerPathBps: 4000 / 3,
  });
});

test('collect takes one path as a string, refuses other inputs and speaks of replace and intervalS', async () => {
  const path = join(tempDir(), 'c.db');
  const store = await openStore(path);
  try {
    const summary = await collect(store, TINY, { volumeName: 'tiny' });
    assert.equal(summary.intervals, 3);
    await assert.rejects(collect(store, 5 as never), usage('inputs must be a file path or a readable stream; got 5'));
    await assert.rejects(
      collect(store, [TINY, null] as never),
      usage('inputs[1] must be a file path or a readable stream; got null'),
    );
    await assert.rejects(
      collect(store, [TINY], { intervalS: 0.5 }),
      usage('intervalS must be a whole number >= 1; got 0.5'),
    );
    await assert.rejects(
      collect(store, [TINY], { replace: 'yes' } as never),
      usage('replace must be one of true, false; got "yes"'),
    );
    await assert.rejects(collect(store, [TINY], { threads: 0 }), usage('threads must be a whole number >= 1; got 0'));
    await assert.rejects(
      collect(store, [TINY], { volumeName: 'a\0b', replace: true }),
      usage('volumeName must not hold a NUL character; got "a\\u0000b"'),
    );
    await assert.rejects(
      collect(store, [TINY], { threads: 'all' } as never),
      usage('threads must be a whole number >= 1; got "all"'),
    );
    await assert.rejects(collect(store, TINY), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      const tiny = TINY.replace(/[.]/g, '\\.');
      assert.match(
        err.message,
        new RegExp(
          `^${tiny} was already collected into ${path} as run 1 ` +
            '\\(.*\\); refusing to count it twice\\. Use replace: true to replace that run$',
        ),
      );
      return true;
    });
    await assert.rejects(
      collect(store, join(FIXTURES, 'tiny.spc.csv'), { intervalS: 120 }),
      usage(
        `store ${path} holds 60 s intervals of 65536 B tracks; this collection asks for 120 s and 65536 B. ` +
          'Use another store, or the stored intervalS and trackBytes',
      ),
    );
  } finally {
    await store.close();
  }
});

test('the CLI says --interval, --track, --store and --replace where the library says parameters', async () => {
  const store = join(tempDir(), 'cli.db');
  assert.equal((await runCli('collect', TINY, '--store', store)).code, 0);
  const other = await runCli('collect', join(FIXTURES, 'tiny.spc.csv'), '--store', store, '--interval', '2m');
  assert.equal(other.code, 2);
  assert.equal(
    other.stderr,
    `churnlink collect: store ${store} holds 60 s intervals of 65536 B tracks; ` +
      'this collection asks for 120 s and 65536 B. Use another --store, or the stored --interval and --track\n',
  );
  const again = await runCli('collect', TINY, '--store', store);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /; refusing to count it twice\. Use --replace to replace that run\n$/);
});

test('the CLI refuses --target 0 in report --format html and simulate', async () => {
  const store = join(tempDir(), 't.db');
  assert.equal((await runCli('collect', TINY, '--store', store)).code, 0);
  const message = 'must be a duration above 0 (e.g. 30s, 5m, 1h); got "0"';
  for (const argv of [
    ['report', '--store', store, '--format', 'html', '--target', '0'],
    ['report', '--store', store, '--format', 'svg', '--chart', 'rpo', '--link', '1xT1', '--target', '0s'],
    ['simulate', '--store', store, '--link', '1xT1', '--target', '0'],
  ]) {
    const r = await runCli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    const given = argv[argv.length - 1];
    assert.equal(r.stderr, `churnlink ${argv[0]}: --target ${message.replace('"0"', `"${given}"`)}\n`, argv.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('openStore: a directory is refused as the store parameter, for reading and writing alike', async () => {
  const dir = tempDir();
  for (const options of [{}, { mustExist: true }]) {
    await assert.rejects(
      openStore(dir, options),
      (e: unknown) =>
        e instanceof UsageError && e.message === `store ${dir} is a directory; give a file path for a SQLite store`,
    );
  }
});

test('openStore: a FIFO or a path ending in / that is no directory is refused as the store parameter', async (t) => {
  const dir = tempDir();
  const missing = join(dir, 'nosuch');
  for (const options of [{}, { mustExist: true }]) {
    await assert.rejects(openStore(`${missing}/`, options), (e: unknown) => {
      const says = 'ends in / but is no directory; give a file path (without the /) for a SQLite store';
      return e instanceof UsageError && e.message === `store ${missing}/ ${says}`;
    });
  }
  assert.equal(existsSync(missing), false);
  const fifo = join(dir, 'ff.db');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
  for (const options of [{}, { mustExist: true }]) {
    await assert.rejects(openStore(fifo, options), (e: unknown) => {
      const says = 'is a FIFO (named pipe), not a regular file; give a file path for a SQLite store';
      return e instanceof UsageError && e.message === `store ${fifo} ${says}`;
    });
  }
});
