import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { tempDir } from '../helpers.js';

// Gaps cost nothing: reports, models and charts over long empty spans stay small (issue 9.3, 9.8).
const dir = tempDir();
const filetime = (unixS: number): string => String((BigInt(unixS) + 11_644_473_600n) * 10_000_000n);
const Y2007 = 1_172_163_600; // 2007-02-22T17:00:00Z
const Y2026 = 1_767_571_200; // 2026-01-05T00:00:00Z
const MiB = 1024;

async function collect(name: string, csv: string, ...flags: string[]): Promise<string> {
  const trace = join(dir, `${name}.csv`);
  const store = join(dir, `${name}.db`);
  writeFileSync(trace, csv);
  const r = await runChild(['collect', trace, '--store', store, '--quiet', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return store;
}

test('two records 19 years apart: report, models and html in bounded memory, exact figures', async () => {
  const store = await collect(
    'far',
    `${filetime(Y2007)},hm,0,Write,4096,8192,100\n${filetime(Y2026 + 5)},hm,0,Write,4096,4096,100\n`,
  );
  const report = await runChild(['report', '--store', store, '--format', 'json'], {
    maxOldSpaceMiB: 128,
    timeoutMs: 60_000,
  });
  assert.equal(report.code, 0, report.stderr);
  const [row] = JSON.parse(report.stdout);
  const intervals = (Y2026 - Y2007) / 60 + 1; // both ends' intervals and every empty one between
  assert.deepEqual(
    [
      row.volume,
      row.writes,
      row.writeBytes,
      row.changedTracks,
      row.intervals,
      row.peakChangedTracks,
      row.p99ChangedTracks,
    ],
    ['hm_0', 2, 12288, 1, intervals, 1, 0],
  );
  assert.ok(report.maxRssKiB! < 150 * MiB, `report peak RSS ${report.maxRssKiB} KiB`);

  const models = await runChild(['report', '--store', store, '--models', '--format', 'json'], {
    maxOldSpaceMiB: 128,
    timeoutMs: 60_000,
  });
  assert.equal(models.code, 0, models.stderr);
  const m = JSON.parse(models.stdout) as { model: string; count: number; peakBytes: number; totalBytes: number }[];
  assert.deepEqual(
    m.map((x) => [x.model, x.count, x.peakBytes, x.totalBytes]),
    [
      ['synchronous', intervals * 60, 8192, 12288], // one window per second of the span
      ['asynchronous', intervals, 65536, 2 * 65536],
      ['periodic', Math.ceil((Y2026 + 60 - Y2007) / 3600), 65536, 2 * 65536],
    ],
  );
  assert.ok(models.maxRssKiB! < 150 * MiB, `models peak RSS ${models.maxRssKiB} KiB`);

  const html = join(dir, 'far.html');
  const page = await runChild(['report', '--store', store, '--format', 'html', '-o', html], {
    maxOldSpaceMiB: 128,
    timeoutMs: 60_000,
  });
  assert.equal(page.code, 0, page.stderr);
  assert.ok(statSync(html).size < 300_000, `html ${statSync(html).size} B`);
  assert.match(readFileSync(html, 'utf8'), /max per [^:]+: at most 2,000 points/);

  const table = await runChild(['report', '--store', store, '--per', 'interval']);
  assert.equal(table.code, 2);
  assert.match(
    table.stderr,
    new RegExp(`${intervals} rows \\(${intervals} buckets x 1 volumes, zeros included\\) is over --max-rows 200000`),
  );
});

test('a per-second series over a week streams every row, zeros included, in bounded memory', async () => {
  const weekS = 7 * 86_400;
  let csv = '';
  let writeBytes = 0;
  for (let i = 0; i < 300; i++) {
    const at = i === 299 ? weekS - 1 : i * 2017;
    const length = 4096 * (1 + (i % 5));
    csv += `${filetime(Y2026 + at)},h,0,Write,${(i % 40) * 65536},${length},100\n`;
    writeBytes += length;
  }
  const store = await collect('week', csv, '--interval', '1s');
  const out = join(dir, 'week.out.csv');
  const r = await runChild(['report', '--store', store, '--per', 'interval', '--format', 'csv', '-o', out], {
    maxOldSpaceMiB: 160,
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB! < 200 * MiB, `peak RSS ${r.maxRssKiB} KiB`);
  let lines = 0;
  let sum = 0;
  let nonZero = 0;
  let expectedS = Y2026;
  for await (const line of createInterface({ input: createReadStream(out) })) {
    if (lines++ === 0) {
      assert.equal(line, 'start_s,volume,writes,write_bytes,changed_tracks');
      continue;
    }
    const [s, volume, , bytes] = line.split(',');
    assert.equal(Number(s), expectedS++);
    assert.equal(volume, 'h_0');
    sum += Number(bytes);
    if (Number(bytes) > 0) nonZero++;
  }
  assert.equal(lines, weekS + 1);
  assert.equal(sum, writeBytes);
  assert.equal(nonZero, 300);
});
