import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../helpers.js';
import { runChild } from '../support/child.js';

/** The js block of the README's "Library" section, as written. */
export function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README.md has a ## Library section with a js block');
  return match[1]!;
}

/** A working directory holding the shipped samples, as the README's directory does. */
function sampleDir(): string {
  const dir = tempDir();
  symlinkSync(join(ROOT, 'samples'), join(dir, 'samples'));
  return dir;
}

async function cli(cwd: string, ...args: string[]): Promise<string> {
  const r = await runChild(args, { cwd, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `churnlink ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test("README's library example runs as written and prints the CLI's figures", async () => {
  // Inside the package, so that `from 'churnlink'` resolves through package.json "exports".
  const script = join(ROOT, 'dist', `readme-example-${process.pid}.mjs`);
  writeFileSync(script, readmeExample());
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: sampleDir(), timeout: 120_000 });

    // The same steps through the CLI, in a directory of its own.
    const dir = sampleDir();
    await cli(
      dir,
      'collect',
      'samples/sample-msr.csv.gz',
      '--store',
      'example.db',
      '--interval',
      '5m',
      '--scope',
      'samples/scope.yaml',
      '--replace',
    );
    const table = await cli(dir, 'report', '--store', 'example.db', '--by', 'group', '--resync', '30m');
    const groups = JSON.parse(
      await cli(dir, 'report', '--store', 'example.db', '--by', 'group', '--format', 'json'),
    ) as { group: string; changedTracks: number; changedBytes: number }[];
    const plan = JSON.parse(
      await cli(
        dir,
        'plan',
        '--store',
        'example.db',
        '--rpo',
        '15m',
        '--percentile',
        '99',
        '--path',
        'T3',
        '--format',
        'json',
      ),
    ) as { paths: number; linkBps: number; achievedRpoS: number };
    const simulation = JSON.parse(
      await cli(dir, 'simulate', '--store', 'example.db', '--link', '2xT3', '--cycle', '5m', '--format', 'json'),
    ) as { rpo: { p99S: number; maxS: number } };

    // Figures checked by hand on the sample: 64 KiB tracks, T3 = 44.736 Mbit/s.
    assert.deepEqual(
      groups.map((g) => [g.group, g.changedTracks, g.changedBytes]),
      [
        ['array-a', 7114, 7114 * 65536],
        ['array-b', 2363, 2363 * 65536],
      ],
    );
    assert.deepEqual([plan.paths, plan.linkBps, plan.achievedRpoS], [1, 44_736_000, 304]);
    assert.deepEqual(simulation.rpo, { ...simulation.rpo, p99S: 300, maxS: 307 });
    assert.equal(
      stdout,
      table +
        groups.map((g) => `${g.group}: ${g.changedBytes} B changed\n`).join('') +
        `plan: ${plan.paths} x T3 (44.74 Mbit/s), RPO p99 5 min 4 s\n` +
        `simulate: RPO p99 ${simulation.rpo.p99S} s, max ${simulation.rpo.maxS} s\n`,
    );
  } finally {
    rmSync(script, { force: true });
  }
});
