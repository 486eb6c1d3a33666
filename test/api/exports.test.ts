import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, ROOT, runCli, tempDir } from '../helpers.js';

// What a user gets: dist/src/index.js, the file package.json "exports" names.
const INDEX = pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href;

/** The names the README's "Library" section lists as exported at run time. */
function documentedNames(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'), readme.indexOf('\n## Performance\n'));
  const list = section.slice(section.indexOf('What it exports at run time'));
  const items = list.slice(0, list.indexOf('\n\n', list.indexOf('\n- ')));
  return [...new Set([...items.matchAll(/`([A-Za-z_]+)\b[^`]*`/g)].map((m) => m[1]!))].sort();
}

test('index.ts exports exactly the names the README documents', async () => {
  const api = (await import(INDEX)) as Record<string, unknown>;
  const documented = documentedNames();
  assert.ok(documented.includes('simulateReplication') && documented.includes('openStore'), documented.join(' '));
  assert.deepEqual(Object.keys(api).sort(), documented);
});

test('package.json exports the index (types and code) and package.json, and ships dist/src', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(pkg.exports, {
    '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' },
    './package.json': './package.json',
  });
  assert.deepEqual(pkg.files, ['bin', 'dist/src', 'samples']);
});

test('openStore, simulateReplication and planLink from dist/src/index.js give the figures of the CLI', async () => {
  const store = join(tempDir(), 'api.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store)).code, 0);
  const simulated = await runCli('simulate', '--store', store, '--link', '1x1Mbit', '--format', 'json');
  const planned = await runCli('plan', '--store', store, '--rpo', '2m', '--path', '1Mbit', '--format', 'json');
  const cliSim = JSON.parse(simulated.stdout) as { rpo: object; peakBacklogBytes: number };
  const cliPlan = JSON.parse(planned.stdout) as {
    requiredBps: number;
    paths: number;
    linkBps: number;
    achievedRpoS: number;
  };

  type Api = typeof import('../../src/index.js');
  const { openStore, simulateReplication, planLink, UsageError } = (await import(INDEX)) as Api;
  const opened = await openStore(store, { mustExist: true });
  try {
    const sim = await simulateReplication(opened, { link: { paths: 1, pathBps: 1e6 } });
    assert.deepEqual(sim.result.rpo, cliSim.rpo);
    assert.equal(sim.result.peakBacklogBytes, cliSim.peakBacklogBytes);
    assert.equal(sim.cycleS, 60);
    assert.equal(sim.targetS, 120);
    const { plan } = await planLink(opened, { targetRpoS: 120, pathBps: 1e6 });
    assert.deepEqual(
      [plan.requiredBps, plan.paths, plan.linkBps, plan.achievedRpoS],
      [cliPlan.requiredBps, cliPlan.paths, cliPlan.linkBps, cliPlan.achievedRpoS],
    );
    // Library errors name the parameter.
    await assert.rejects(
      simulateReplication(opened, { link: { paths: 1, pathBps: 1e6 }, cycleS: 90 }),
      (err: unknown) => err instanceof UsageError && /\bcycleS\b/.test(err.message) && !err.message.includes('--'),
    );
  } finally {
    await opened.close();
  }
});
