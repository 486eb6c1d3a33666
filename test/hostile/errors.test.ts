import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { collectSources } from '../../src/collect/run.js';
import { InputError } from '../../src/errors.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { freshDatabase, postgresMissing } from '../support/postgres.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { cleanUp, trackChild } from '../support/cleanup.js';
import { msrTrace } from '../collect/traces.js';
import { collectOptions } from '../collect/options.js';

const dir = tempDir();
after(cleanUp); // a child a failed test left running
const BIN = join(ROOT, 'bin', 'churnlink.js');
const STACK_LINE = /\n\s+at /;

/** The CLI in a child process, killed after 120 s (a hung child then fails the test on its exit code). */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = trackChild(spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function tmpfsMissing(): string | false {
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root';
  const probe = join(dir, 'tmpfs-probe');
  mkdirSync(probe);
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok ? false : 'mount -t tmpfs is not permitted here';
}

test(
  'a full disk: one clear line (exit 1), the stack only with --debug, and a store the command created is removed',
  { skip: tmpfsMissing() },
  async () => {
    const trace = join(dir, 'many-intervals.csv');
    writeFileSync(trace, msrTrace('full', 40_000, 60)); // 40,000 one-minute intervals: several MiB of rows
    const mnt = join(dir, 'full');
    mkdirSync(mnt);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status, 0);
    try {
      const store = join(mnt, 'churn.db');
      const r = await cli(['collect', trace, '--store', store, '--quiet']);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^churnlink collect: no space left on the device holding the store \([^\n]*\); free some space or use a --store on another file system \(run with --debug for details\)\n$/,
      );
      assert.deepEqual(readdirSync(mnt), [], 'the store this command created is removed, and its space freed');
      const debug = await cli(['collect', trace, '--store', store, '--quiet', '--debug']);
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, STACK_LINE);
      const viaEnv = await cli(['collect', trace, '--store', store, '--quiet'], {
        ...process.env,
        CHURNLINK_DEBUG: '1',
      });
      assert.match(viaEnv.stderr, STACK_LINE);
      // An existing store: its complete run survives, the failed one is gone.
      assert.equal((await cli(['collect', join(ROOT, 'test', 'fixtures', 'tiny.msr.csv'), '--store', store])).code, 0);
      const again = await cli(['collect', trace, '--store', store, '--quiet']);
      assert.equal(again.code, 1);
      assert.doesNotMatch(again.stderr, STACK_LINE);
      assert.equal(again.stderr.split('\n').length, 2, again.stderr);
      const runs = await runCli('runs', '--store', store, '--json');
      assert.deepEqual(
        (JSON.parse(runs.stdout) as { runs: { status: string; records: number }[] }).runs
          .filter((x) => x.status === 'complete')
          .map((x) => x.records),
        [10],
      );
    } finally {
      spawnSync('umount', [mnt]);
    }
  },
);

test('two collections of the same input on one host at once: one completes, the other is refused in one line', async () => {
  const trace = join(dir, 'same.csv');
  writeFileSync(trace, msrTrace('same', 100_000, 1));
  const store = join(dir, 'same.db');
  const results = await Promise.all([
    cli(['collect', trace, '--store', store, '--quiet']),
    cli(['collect', trace, '--store', store, '--quiet']),
  ]);
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 2], results.map((r) => r.stderr).join('\n'));
  const refused = results.find((r) => r.code === 2)!;
  assert.match(
    refused.stderr,
    /^churnlink collect: [^\n]*(was already collected into|is being collected into)[^\n]*\n$/,
  );
  const ok = results.find((r) => r.code === 0)!;
  const s = new SqliteStore(store, { readonly: true });
  const runs = await s.listRuns();
  await s.close();
  assert.deepEqual(
    runs.map((r) => [r.id, r.status, r.records]),
    [[Number(/^run (\d+):/.exec(ok.stdout)![1]), 'complete', 100_000]],
  );
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} during a collection: exit ${code} with one line saying what became of the run; a corrected command is not bound by it`, async () => {
    const store = join(dir, `${signal}.db`);
    const child = trackChild(
      spawn(process.execPath, [BIN, 'collect', '-', '--store', store, '--quiet'], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // An endless trace on stdin, one write per minute.
    let minute = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) yield msrTrace('int', 1000, 60, 1767571200 + 60_000 * minute++);
      })(),
    );
    child.stdin.on('error', () => {});
    endless.pipe(child.stdin);
    try {
      // Its first rows are committed: the run (and the store's settings) are in the store.
      const running = async (): Promise<boolean> => {
        if (!existsSync(store)) return false;
        const r = await runCli('runs', '--store', store, '--json');
        return r.code === 0 && /"status": "running"/.test(r.stdout);
      };
      const until = Date.now() + 60_000;
      while (!(await running()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      assert.ok(await running(), 'the collection committed its first rows');
      child.kill(signal);
      assert.equal(await closed, code);
      assert.equal(
        stderr,
        `churnlink collect: interrupted (${signal}); the unfinished run stays invisible to reports and is replaced by ` +
          'the next collection of the same input\n',
      );
    } finally {
      endless.destroy();
      child.kill('SIGKILL');
    }
    // The interrupted run fixed 1-minute intervals; the user meant 5 minutes. Its process is gone
    // and it was the store's only run: it is removed, and the corrected command collects.
    const trace = join(dir, `${signal}-again.csv`);
    writeFileSync(trace, msrTrace('again', 30, 60));
    const again = await runCli('collect', trace, '--store', store, '--interval', '5m');
    assert.equal(again.code, 0, again.stderr);
    const runs = JSON.parse((await runCli('runs', '--store', store, '--json')).stdout) as {
      settings: { intervalS: number };
      runs: { status: string; records: number }[];
    };
    assert.equal(runs.settings.intervalS, 300);
    assert.deepEqual(
      runs.runs.map((r) => [r.status, r.records]),
      [['complete', 30]],
    );
  });
}

test('a file that shrinks while it is read is bad input naming it, on one thread or several', async () => {
  for (const threads of [1, 2]) {
    const path = join(dir, `shrinks-${threads}.csv`);
    const text = msrTrace('s', 20_000, 1);
    writeFileSync(path, text);
    const source = await openSource(path);
    truncateSync(path, 1000);
    const store = new SqliteStore(join(dir, `shrinks-${threads}.db`));
    const options = collectOptions({ threads, parallelMinBytes: 1024 });
    await assert.rejects(
      collectSources([source], store, options),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          `${path}: the file shrank from ${Buffer.byteLength(text)} to 1000 bytes while it was read; collect a file nobody is writing (or a copy of it)`,
    );
    assert.deepEqual(await store.listRuns(), []);
    await store.close();
  }
});

for (const kind of ['sqlite', 'postgres'] as const) {
  test(
    `a run removed while it is collected (${kind}): writes and finishing fail with a clear message, not a constraint error`,
    { skip: kind === 'postgres' && postgresMissing() },
    async () => {
      const path = kind === 'sqlite' ? join(dir, 'removed.db') : await freshDatabase('removed');
      const a = kind === 'sqlite' ? new SqliteStore(path) : await PostgresStore.open(path);
      const b = kind === 'sqlite' ? new SqliteStore(path) : await PostgresStore.open(path);
      const settings = { intervalS: 60, trackBytes: 65536 };
      const victim = await a.beginRun('h', [{ path: 'x', fingerprint: 'pending', bytes: 0, format: 'msr' }], false, {
        settings,
      });
      const final = [{ path: 'x', fingerprint: 'sha256:1', bytes: 1, format: 'msr' }];
      const other = await b.beginRun('h', final);
      await b.finishRun(other, { records: 0, skipped: 0 }, [victim], final);
      const expected =
        `run ${victim} was removed from store ${a.location} while it was being collected ` +
        '(another collection of the same input replaced it with --replace); nothing of this collection is kept';
      const row = {
        volume: 'v',
        startS: 0,
        writes: 1,
        writeBytes: 1,
        reads: 0,
        readBytes: 0,
        changedTracks: 0,
        bitmap: new Uint8Array(0),
        writeProfile: new Uint8Array(0),
      };
      await assert.rejects(a.writeIntervals(victim, [row]), { message: expected });
      await assert.rejects(a.finishRun(victim, { records: 0, skipped: 0 }, [], []), { message: expected });
      await a.close();
      await b.close();
    },
  );
}
