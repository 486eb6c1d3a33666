/**
 * Collection of many small cells against few large ones, in one run (issue 10 item 3):
 *
 *   node dist/bench/collect-cells.js [--records 4000000] [--hours 168] [--threads N] [--postgres]
 *
 * generates two MSR traces of the same records and span (seed 1) — 100 volumes collected at 1
 * minute (about 1 M (volume, interval) cells of a few records each) and 8 volumes at 5 minutes —
 * collects each with the CLI in its own process into a fresh SQLite store, and prints wall and
 * CPU seconds, records/s and their ratio (target: the 100-volume case at >= 50 % of the 8-volume
 * records/s), with the load average. `--postgres` also collects the 100-volume trace into a local
 * PostgreSQL server started as the tests start it (fsync off) and compares it with SQLite.
 * Everything generated is removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './generate.js';
import { startPostgres } from '../test/support/postgres.js';
import { cleanUp } from '../test/support/cleanup.js';

const BIN = fileURLToPath(new URL('../../bin/churnlink.js', import.meta.url));
const TIME = '/usr/bin/time';

interface Measure {
  wallS: number;
  cpuS: number | null;
  maxRssMiB: number | null;
}

async function writeTrace(path: string, records: number, volumes: number, hours: number): Promise<void> {
  const out = createWriteStream(path);
  for (const line of generate({ kind: 'msr', records, volumes, hours, seed: 1 })) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Run `churnlink collect` in its own process; CPU and peak RSS from /usr/bin/time when present. */
function collect(trace: string, store: string, interval: string, threads: number): Measure {
  const args = ['collect', trace, '--store', store, '--interval', interval, '--threads', String(threads), '--quiet'];
  const timed = existsSync(TIME);
  const t0 = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-f', 'TIME %U %S %M', process.execPath, BIN, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`collect ${trace} failed (${r.status}): ${r.stderr}`);
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return m === null
    ? { wallS, cpuS: null, maxRssMiB: null }
    : { wallS, cpuS: Number(m[1]) + Number(m[2]), maxRssMiB: Number(m[3]) / 1024 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '4000000' },
      hours: { type: 'string', default: '168' },
      threads: { type: 'string', default: String(availableParallelism()) },
      postgres: { type: 'boolean', default: false },
    },
  });
  const records = Number(values.records);
  const hours = Number(values.hours);
  const threads = Number(values.threads);
  const dir = mkdtempSync(join(tmpdir(), 'churnlink-cells-'));
  try {
    const many = join(dir, 'v100.csv');
    const few = join(dir, 'v8.csv');
    await writeTrace(many, records, 100, hours);
    await writeTrace(few, records, 8, hours);
    const rows: [string, Measure][] = [];
    const load = loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    rows.push(['8 volumes, --interval 5m', collect(few, join(dir, 'few.db'), '5m', threads)]);
    rows.push(['100 volumes, --interval 1m', collect(many, join(dir, 'many.db'), '1m', threads)]);
    if (values.postgres) {
      const pg = await startPostgres();
      pg.createDatabase('cells');
      rows.push(['100 volumes, 1m, PostgreSQL', collect(many, pg.url('cells'), '1m', threads)]);
    }
    console.log(`${records} records over ${hours} h, --threads ${threads}, load average before: ${load}`);
    console.log('| case | wall s | CPU s | records/s | peak RSS MiB |');
    console.log('|---|---|---|---|---|');
    for (const [name, m] of rows) {
      const cpu = m.cpuS?.toFixed(1) ?? '?';
      console.log(
        `| ${name} | ${m.wallS.toFixed(1)} | ${cpu} | ${Math.round(records / m.wallS)} | ` +
          `${m.maxRssMiB?.toFixed(0) ?? '?'} |`,
      );
    }
    const [f, m] = [rows[0]![1], rows[1]![1]];
    const cpu = f.cpuS !== null && m.cpuS !== null ? `, by CPU ${((100 * f.cpuS) / m.cpuS).toFixed(0)} %` : '';
    console.log(
      `100 volumes x 1 min at ${((100 * f.wallS) / m.wallS).toFixed(0)} % of the 8-volume records/s${cpu} ` +
        `(target >= 50 %); load average after: ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
    );
    if (rows.length > 2) {
      console.log(`PostgreSQL / SQLite wall: ${(rows[2]![1].wallS / m.wallS).toFixed(2)} x (target <= 2 x)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cleanUp();
  }
}

await main();
