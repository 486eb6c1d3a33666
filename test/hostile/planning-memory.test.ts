import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { runChild } from '../support/child.js';
import { tempDir } from '../helpers.js';

// 20 volumes x 3,000 one-minute intervals (60 k cells), each cell 200 tracks scattered over 2^24
// (about one roaring container each): 1.5 KiB of bitmap per cell, 90 MiB of cells packed. Streamed
// (`--memory-budget 0`) simulate and cycles must stay far below what holding them takes.
const VOLUMES = 20;
const INTERVALS = 3000;
const TRACKS_PER_CELL = 200;
// Streamed peak RSS is the runtime (68 MiB for --help), V8's young generation and page garbage:
// 182 MiB measured here, 212 MiB for the 617 k cells of the fleet quick case; held: 320 MiB.
const STREAMED_PEAK_RSS_KIB = 224 * 1024;
let db = '';

before(async () => {
  db = join(tempDir(), 'planning-memory.db');
  const store = new SqliteStore(db);
  try {
    await store.useSettings({ intervalS: 60, trackBytes: 65_536 });
    const run = await store.beginRun('big', [], true);
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const tracks = new Uint32Array(TRACKS_PER_CELL);
    const profile = encodeProfile(new Float64Array(60));
    let rows: IntervalRow[] = [];
    let packedBytes = 0;
    for (let k = 0; k < INTERVALS; k++) {
      for (let v = 0; v < VOLUMES; v++) {
        for (let i = 0; i < TRACKS_PER_CELL; i++) tracks[i] = Math.floor(rand() * 2 ** 24);
        const sorted = Uint32Array.from(new Set(tracks)).sort();
        const bitmap = serializeRoaring(sorted);
        packedBytes += 40 + bitmap.byteLength;
        rows.push({
          volume: `v${v}`,
          startS: k * 60,
          writes: sorted.length,
          writeBytes: sorted.length * 4096,
          reads: 0,
          readBytes: 0,
          changedTracks: sorted.length,
          bitmap,
          writeProfile: profile,
        });
      }
      if (rows.length >= 8192) {
        await store.writeIntervals(run, rows);
        rows = [];
      }
    }
    await store.writeIntervals(run, rows);
    assert.ok(packedBytes > 80 * 2 ** 20, `${packedBytes} bytes of cells`);
  } finally {
    await store.close();
  }
});

after(() => rmSync(db, { force: true }));

const rss = (r: { maxRssKiB: number | null }): number => r.maxRssKiB ?? Infinity;

test('simulate streamed: the same figures as with the cells held, in a bounded peak RSS', async () => {
  const args = ['simulate', '--store', db, '--cycle', '5m', '--link', '1x10Gbit', '--format', 'json', '-o'];
  const dir = tempDir();
  const streamed = await runChild([...args, join(dir, 'streamed.json'), '--memory-budget', '0'], {
    maxOldSpaceMiB: 96,
    timeoutMs: 600_000,
  });
  assert.equal(streamed.code, 0, streamed.stderr);
  const held = await runChild([...args, join(dir, 'held.json'), '--memory-budget', '1GiB'], { timeoutMs: 600_000 });
  assert.equal(held.code, 0, held.stderr);
  const out = readFileSync(join(dir, 'streamed.json'), 'utf8');
  assert.equal(out, readFileSync(join(dir, 'held.json'), 'utf8'));
  // 3,000 minutes in 5-minute cycles, each with changes: 600 cycles, none folded.
  assert.equal((JSON.parse(out) as { cycles: unknown[] }).cycles.length, INTERVALS / 5);
  assert.ok(rss(streamed) < STREAMED_PEAK_RSS_KIB, `streamed simulate peak RSS ${streamed.maxRssKiB} KiB`);
  // The measure can see the cells: holding their 90 MiB costs clearly more. Measured margins: 79–137 MiB,
  // depending on when V8 collects, so the check asks for 40 MiB (an 80 MiB bound failed once in CI).
  assert.ok(rss(held) > rss(streamed) + 40 * 1024, `held ${held.maxRssKiB} KiB, streamed ${streamed.maxRssKiB} KiB`);
});

test('cycles streamed: the same table, in a bounded peak RSS', async () => {
  const args = ['cycles', '--store', db, '--max', '3m', '--format', 'json'];
  const streamed = await runChild([...args, '--memory-budget', '0'], { maxOldSpaceMiB: 96, timeoutMs: 600_000 });
  assert.equal(streamed.code, 0, streamed.stderr);
  assert.equal((JSON.parse(streamed.stdout) as unknown[]).length, 3);
  assert.ok(rss(streamed) < STREAMED_PEAK_RSS_KIB, `streamed cycles peak RSS ${streamed.maxRssKiB} KiB`);
});
