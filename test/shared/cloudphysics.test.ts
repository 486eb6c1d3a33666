import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, sharedMissing, SHARED_TRACES, tempDir } from '../helpers.js';

const CSV = 'cloudPhysicsIO.csv';
const COLUMNS = 'time=time:s,offset=lbn:sector,length=size:B,op=op';

/** Real VMware vscsi I/O (CloudPhysics): time s, lbn in sectors, size bytes, op 2a = write. */
test(
  'cloudPhysicsIO.csv through the csv reader: 5 min intervals, 64 KiB tracks',
  { skip: sharedMissing(CSV) },
  async () => {
    const store = join(tempDir(), 'cloudphysics.db');
    const collected = await runCli(
      'collect',
      join(SHARED_TRACES, CSV),
      '--store',
      store,
      '--interval',
      '5m',
      '--track',
      '64KiB',
      '--columns',
      COLUMNS,
      '--write-ops',
      '2a',
      '--read-ops',
      '28',
    );
    assert.equal(collected.code, 0, collected.stderr);
    const report = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
    const [volume, ...others] = JSON.parse(report.stdout) as Record<string, number>[];
    assert.equal(others.length, 0);
    assert.equal(volume!.writes, 66_898);
    assert.equal(volume!.writeBytes, 2_408_565_760);
    assert.equal(volume!.changedTracks, 14_711);
    assert.equal(volume!.changedBytes, 14_711 * 65_536);
    assert.equal(volume!.intervals, 25);
    assert.equal(volume!.reads, 46_974);
    const series = await runCli('report', '--store', store, '--per', 'interval', '--format', 'csv');
    const lines = series.stdout.trim().split('\n');
    assert.equal(lines.length, 1 + 25);
    assert.equal(lines[1], '5633700,cloudPhysicsIO,292,1689600,47');
    assert.equal(
      lines.slice(1).reduce((n, l) => n + Number(l.split(',')[2]), 0),
      66_898,
    );
  },
);

const VSCSI = 'cloudPhysicsIO.vscsi';

test(
  'cloudPhysicsIO.vscsi (binary) and .csv (sniffed as vscsi-csv) give identical per-interval results',
  { skip: sharedMissing(VSCSI) || sharedMissing(CSV) },
  async () => {
    const dir = tempDir();
    const series: string[] = [];
    for (const file of [VSCSI, CSV]) {
      const store = join(dir, `${file}.db`);
      const collected = await runCli('collect', join(SHARED_TRACES, file), '--store', store, '--interval', '5m');
      assert.equal(collected.code, 0, collected.stderr);
      assert.match(collected.stdout, file === VSCSI ? /\(vscsi\)/ : /\(vscsi-csv\)/);
      series.push((await runCli('report', '--store', store, '--per', 'interval', '--format', 'csv')).stdout);
    }
    assert.equal(series[0], series[1]);
    const rows = series[0]!.trim().split('\n').slice(1);
    assert.equal(rows.length, 25);
    assert.equal(
      rows.reduce((n, l) => n + Number(l.split(',')[2]), 0),
      66_898,
    );
    const whole = await runCli('report', '--store', join(dir, `${VSCSI}.db`), '--format', 'json');
    assert.equal((JSON.parse(whole.stdout) as { changedTracks: number }[])[0]!.changedTracks, 14_711);
  },
);
