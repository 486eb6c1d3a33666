import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { runChild } from '../support/child.js';
import { tempDir } from '../helpers.js';

// Whole-window and hourly reports over many cells read the hour and day rollups: their memory
// follows the answer (volumes x buckets), not the cells of the window (issue 10 item 2).
const VOLUMES = 40;
const DAYS = 3;
const INTERVAL_S = 60;
const START_S = Date.UTC(2026, 0, 5) / 1000;
const MiB = 1024;

/** Volume v's tracks at interval k: two scattered ones and, for every fifth volume, a run of 300. */
function tracksOf(v: number, k: number): number[] {
  const set = new Set([(k * 7 + v) % 5000, 65_536 + ((k * 13 + v * 3) % 70_000)]);
  if (v % 5 === 0) for (let i = 0; i < 300; i++) set.add(200_000 + ((k * 17 + i) % 20_000));
  return [...set].sort((a, b) => a - b);
}

test('reports over 172,800 cells answer from rollups in bounded memory, exactly', { timeout: 600_000 }, async () => {
  const path = join(tempDir(), 'many.db');
  const store = new SqliteStore(path);
  const intervals = (DAYS * 86_400) / INTERVAL_S;
  // The answer, computed here from the cells as they are written: each volume's distinct tracks.
  const distinct = new Map<string, Set<number>>();
  const hourly = new Map<string, number>(); // `${group}/${hourS}` → changed tracks summed over volumes
  try {
    await store.useSettings({ intervalS: INTERVAL_S, trackBytes: 65_536 });
    const run = await store.beginRun('h', []);
    for (let v = 0; v < VOLUMES; v++) {
      const volume = `v${String(v).padStart(2, '0')}`;
      const all = new Set<number>();
      distinct.set(volume, all);
      let rows: IntervalRow[] = [];
      let hour = new Set<number>();
      for (let k = 0; k < intervals; k++) {
        const tracks = tracksOf(v, k);
        tracks.forEach((t) => {
          all.add(t);
          hour.add(t);
        });
        if ((k + 1) % 60 === 0) {
          const key = `all/${START_S + (k - 59) * INTERVAL_S}`;
          hourly.set(key, (hourly.get(key) ?? 0) + hour.size);
          hour = new Set();
        }
        rows.push({
          volume,
          startS: START_S + k * INTERVAL_S,
          writes: tracks.length,
          writeBytes: tracks.length * 4096,
          reads: 0,
          readBytes: 0,
          changedTracks: tracks.length,
          bitmap: serializeRoaring(Uint32Array.from(tracks)),
          writeProfile: encodeProfile(Float64Array.of(tracks.length * 4096)),
        });
        if (rows.length === 1200) {
          await store.writeIntervals(run, rows);
          rows = [];
        }
      }
      await store.writeIntervals(run, rows);
    }
    await store.finishRun(run, { records: 1, skipped: 0 }, [], []);
    await store.putScope(JSON.stringify({ volumes: null, groups: [{ name: 'all', volumes: ['v*'] }], datasets: [] }));
  } finally {
    await store.close();
  }

  const limits = { maxOldSpaceMiB: 96, timeoutMs: 300_000 };
  const whole = await runChild(['report', '--store', path, '--format', 'json'], limits);
  assert.equal(whole.code, 0, whole.stderr);
  const rows = JSON.parse(whole.stdout) as { volume: string; changedTracks: number; writes: number }[];
  assert.deepEqual(
    rows.map((r) => [r.volume, r.changedTracks]),
    [...distinct].map(([v, s]) => [v, s.size]),
  );
  assert.ok(whole.maxRssKiB! < 160 * MiB, `report peak RSS ${whole.maxRssKiB} KiB`);

  const byHour = await runChild(['report', '--store', path, '--by', 'group', '--per', '1h', '--format', 'csv'], limits);
  assert.equal(byHour.code, 0, byHour.stderr);
  const lines = byHour.stdout.trim().split('\n');
  const head = lines[0]!.split(',');
  const at = (name: string): number => head.indexOf(name);
  const got = lines
    .slice(1)
    .map((l) => l.split(','))
    .map((c) => [`${c[at('group')]}/${c[at('start_s')]}`, Number(c[at('changed_tracks')])]);
  assert.deepEqual(got, [...hourly]);
  assert.ok(byHour.maxRssKiB! < 160 * MiB, `report --per 1h peak RSS ${byHour.maxRssKiB} KiB`);
});
