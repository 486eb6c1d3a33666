import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { runChild } from '../support/child.js';
import { tempDir } from '../helpers.js';

// A whole-window report by volume keeps, per volume, its figures and the summary of its
// per-interval series, never the series itself past the volume (it once kept every volume's series,
// by interval start, to the end: memory volumes x intervals, 1.25 GB at 31 M cells).
const VOLUMES = 120; // the JSON of 120 rows fits what runChild keeps (64 KiB)
const INTERVALS = 7200; // 5 days of 1 minute
const START_S = Date.UTC(2026, 0, 5) / 1000;

test(
  'report --by volume over 864,000 cells: summaries exact, heap bounded by volumes, not cells',
  { timeout: 600_000 },
  async () => {
    const path = join(tempDir(), 'wide.db');
    const store = new SqliteStore(path);
    const expected: string[] = [];
    try {
      await store.useSettings({ intervalS: 60, trackBytes: 65_536 });
      const run = await store.beginRun('w', []);
      const profile = encodeProfile(Float64Array.of(4096));
      for (let v = 0; v < VOLUMES; v++) {
        const volume = `v${String(v).padStart(3, '0')}`;
        // Interval k writes 1 + (k mod (v mod 7 + 2)) tracks at k*8 (distinct every interval).
        const m = (v % 7) + 2;
        const counts: number[] = [];
        let rows: IntervalRow[] = [];
        for (let k = 0; k < INTERVALS; k++) {
          const n = 1 + (k % m);
          counts.push(n);
          rows.push({
            volume,
            startS: START_S + k * 60,
            writes: n,
            writeBytes: n * 4096,
            reads: 0,
            readBytes: 0,
            changedTracks: n,
            bitmap: serializeRoaring(Uint32Array.from({ length: n }, (_, i) => k * 8 + i)),
            writeProfile: profile,
          });
          if (rows.length === 2880) {
            await store.writeIntervals(run, rows);
            rows = [];
          }
        }
        await store.writeIntervals(run, rows);
        // By hand: the series is 1..m repeated; nearest rank over the sorted counts.
        const sorted = [...counts].sort((a, b) => a - b);
        const rank = (p: number): number => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
        const total = counts.reduce((a, b) => a + b, 0);
        expected.push(`${volume},${total},${m},${rank(50)},${rank(95)},${rank(99)}`);
      }
      await store.finishRun(run, { records: 1, skipped: 0 }, [], []);
    } finally {
      await store.close();
    }
    const r = await runChild(['report', '--store', path, '--format', 'json'], {
      maxOldSpaceMiB: 24,
      timeoutMs: 300_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, number | string>[];
    const keys = ['volume', 'changedTracks', 'peakChangedTracks', 'p50ChangedTracks', 'p95ChangedTracks'];
    assert.deepEqual(
      rows.map((x) => [...keys, 'p99ChangedTracks'].map((k) => x[k]).join(',')),
      expected,
    );
  },
);
