import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { collectSources, type CollectOptions } from '../../src/collect/run.js';
import { UsageError } from '../../src/errors.js';
import { openSource } from '../../src/sources/file.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { cleanUp, exitOf, trackChild, waitUntil } from '../support/cleanup.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { msrTrace } from './traces.js';
import { collectOptions } from './options.js';

const dir = tempDir();
const missing = await postgresUnavailable();
after(cleanUp);

const options = (replace: boolean): CollectOptions => collectOptions({ replace });

/**
 * `store`, except that its first `finishRun` first lets `meanwhile` run to its end: another
 * collection completing after this one decided what it replaces, and before it completes — the
 * interleaving two commands at once can take, made certain.
 */
function completingMeanwhile(store: Store, meanwhile: () => Promise<unknown>): Store {
  let first = true;
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'finishRun' || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (...args: unknown[]) => {
        if (first) {
          first = false;
          await meanwhile();
        }
        return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
      };
    },
  });
}

/** Every stored cell as text, and the runs as [id, status, records]. */
async function contents(store: Store): Promise<{ cells: string[]; runs: [number, string, number][] }> {
  const cells = (await store.readIntervals({})).map(
    (r) => `${r.volume} ${r.startS} ${r.writes} ${r.writeBytes} ${r.changedTracks}`,
  );
  const runs = (await store.listRuns()).map((r): [number, string, number] => [r.id, r.status, r.records]);
  return { cells: cells.sort(), runs };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' ? missing : false;
  const location = async (name: string): Promise<string> =>
    kind === 'sqlite' ? join(dir, `${name}.db`) : freshDatabase(name);

  test(
    `${kind}: the same input collected twice at once (two path spellings) counts once: the second to complete is refused`,
    { skip },
    async () => {
      const trace = join(dir, `twice-${kind}.csv`);
      writeFileSync(trace, msrTrace('tw', 600, 1)); // 600 writes, one a second: 10 one-minute intervals
      const other = join(dir, '.', `twice-${kind}.csv`).replace(dir, `${dir}/.`); // the same file, spelt apart
      assert.notEqual(other, trace);
      const spec = await location('twice');
      const store = await openStore(spec);
      const single = await openStore(await location('single'));
      try {
        await collectSources([await openSource(trace)], single, options(false));
        const expected = await contents(single);
        assert.equal(expected.cells.length, 10);
        let second: Awaited<ReturnType<typeof collectSources>> | null = null;
        const racing = completingMeanwhile(store, async () => {
          second = await collectSources([await openSource(other)], store, options(false));
        });
        await assert.rejects(
          collectSources([await openSource(trace)], racing, options(false)),
          (e: unknown) =>
            e instanceof UsageError &&
            e.message.startsWith(`${trace} was already collected into ${store.location} as run 2 (`) &&
            e.message.includes('refusing to count it twice'),
        );
        assert.equal(second!.runId, 2);
        // Run 1 (the refused one) is gone; the store holds exactly one collection's cells.
        const got = await contents(store);
        assert.deepEqual(got.runs, [[2, 'complete', 600]]);
        assert.deepEqual(got.cells, expected.cells);
      } finally {
        await store.close();
        await single.close();
      }
    },
  );

  test(
    `${kind}: a grown trace (plain and gzip) completing after the trace it grew from completed meanwhile is refused`,
    { skip },
    async () => {
      const base = msrTrace('gr', 300, 1);
      const trace = join(dir, `grown-base-${kind}.csv`);
      writeFileSync(trace, base);
      const grownText = base + msrTrace('gr', 60, 1, 1767571200 + 300);
      const grown = join(dir, `grown-${kind}.csv`);
      writeFileSync(grown, grownText);
      writeFileSync(`${grown}.gz`, gzipSync(grownText));
      for (const input of [grown, `${grown}.gz`]) {
        const store = await openStore(await location('grown'));
        try {
          const racing = completingMeanwhile(store, async () =>
            collectSources([await openSource(trace)], store, options(false)),
          );
          await assert.rejects(
            collectSources([await openSource(input)], racing, options(false)),
            (e: unknown) =>
              e instanceof UsageError &&
              e.message.startsWith(
                `${input} begins with all ${Buffer.byteLength(base)} bytes of ${trace}, collected into ${store.location} as run 2 (`,
              ),
          );
          assert.deepEqual((await contents(store)).runs, [[2, 'complete', 300]]);
        } finally {
          await store.close();
        }
      }
    },
  );

  test(`${kind}: with replace, the second to complete replaces the first`, { skip }, async () => {
    const trace = join(dir, `replace-${kind}.csv`);
    writeFileSync(trace, msrTrace('rp', 300, 2));
    const store = await openStore(await location('replace'));
    try {
      let second: Awaited<ReturnType<typeof collectSources>> | null = null;
      const racing = completingMeanwhile(store, async () => {
        second = await collectSources([await openSource(trace)], store, options(false));
      });
      const first = await collectSources([await openSource(trace)], racing, options(true));
      assert.equal(second!.runId, 2);
      assert.equal(first.runId, 1);
      assert.deepEqual(first.replaced, [2]);
      const got = await contents(store);
      assert.deepEqual(got.runs, [[1, 'complete', 300]]);
      // 300 writes every 2 s: 10 intervals of 30 writes, each its own 64 KiB track.
      assert.equal(got.cells.length, 10);
      assert.ok(
        got.cells.every((c) => / 30 122880 30$/.test(c)),
        got.cells.join('\n'),
      );
    } finally {
      await store.close();
    }
  });
}

test('two different inputs on stdin at once, on one host, both complete (a shared path is not the same input)', async () => {
  const store = join(dir, 'stdin.db');
  const slow = msrTrace('s1', 20_000, 60); // one write a minute: 20,000 intervals
  const quick = msrTrace('s2', 120, 1);
  const bin = join(ROOT, 'bin', 'churnlink.js');
  const child = trackChild(
    spawn(process.execPath, [bin, 'collect', '-', '--store', store, '--quiet'], { stdio: 'pipe' }),
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // 17,000 closed intervals: more than one batch (16,384 rows) commits, so its run is in the store, unfinished.
  const lines = slow.split('\n');
  child.stdin.write(lines.slice(0, 17_000).join('\n') + '\n');
  await waitUntil(
    async () => {
      const r = await runCli('runs', '--store', store, '--json').catch(() => null);
      return r !== null && r.code === 0 && /"status":\s*"running"/.test(r.stdout);
    },
    'the first collection has an unfinished run in the store',
    60_000,
    50,
  );
  const second = spawn(process.execPath, [bin, 'collect', '-', '--store', store, '--quiet'], { stdio: 'pipe' });
  trackChild(second);
  let secondErr = '';
  second.stderr.setEncoding('utf8').on('data', (d: string) => (secondErr += d));
  second.stdin.end(quick);
  assert.equal(await exitOf(second, 'second collect', 60_000), 0, secondErr);
  child.stdin.end(lines.slice(17_000).join('\n'));
  assert.equal(await exitOf(child, 'first collect', 60_000), 0, stderr);
  const runs = JSON.parse((await runCli('runs', '--store', store, '--json')).stdout) as {
    runs: { id: number; status: string; records: number }[];
  };
  assert.deepEqual(
    runs.runs.map((r) => [r.id, r.status, r.records]),
    [
      [1, 'complete', 20_000],
      [2, 'complete', 120],
    ],
  );
});
