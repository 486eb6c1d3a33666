import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { FIXTURES, tempDir } from '../helpers.js';

/**
 * `--store DIR` is refused as a directory by every command that takes --store (SQLite said only
 * "disk I/O error" or "unable to open database file"), exit 2, and nothing is created in it.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

test('--store naming a directory: every command says so, exit 2', async () => {
  const store = join(dir, 'a directory');
  mkdirSync(store);
  const commands: string[][] = [
    ['collect', join(FIXTURES, 'tiny.msr.csv')],
    ['report'],
    ['report', '--models'],
    ['runs'],
    ['cycles'],
    ['simulate', '--link', '1x1Gbit'],
    ['plan', '--rpo', '5m'],
    ['migrate'],
    ['live', '--device', '/dev/null'],
  ];
  for (const args of commands) {
    for (const spec of [store, `${store}/`]) {
      const r = await runChild([...args, '--store', spec], { stdin: '' });
      const message = `churnlink ${args[0]}: --store ${spec} is a directory; give a file path for a SQLite store\n`;
      assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', message], args.join(' '));
    }
  }
  assert.deepEqual(readdirSync(store), []);
});

test('--store naming a file inside a directory still works', async () => {
  const r = await runChild(['collect', join(FIXTURES, 'tiny.msr.csv'), '--store', join(dir, 'file.db'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const runs = await runChild(['runs', '--store', join(dir, 'file.db')]);
  assert.equal(runs.code, 0, runs.stderr);
});
