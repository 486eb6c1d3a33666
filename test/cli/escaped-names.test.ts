import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { FIXTURES, tempDir } from '../helpers.js';

/**
 * A file or store name is printed with its control characters escaped (`\x0a` for a line feed,
 * `\x1b` for ESC) in every error and warning, so a name cannot fake a second line of output.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

test('escaped names: a bad line in a file whose name holds a line feed', async () => {
  const bad = join(dir, 'bad\nname.csv');
  writeFileSync(bad, 'junk\n');
  const r = await runChild(['collect', bad, '--format', 'msr', '--store', join(dir, 'a.db')]);
  assert.equal(r.code, 2);
  const shown = `${dir}/bad\\x0aname.csv`;
  assert.equal(r.stderr, `churnlink collect: msr: ${shown}:1: Timestamp is not a whole number: "junk"\n`);
});

test('escaped names: a nonexistent file named with a line feed and ESC', async () => {
  const missing = join(dir, 'no\nsuch\x1b[2J.csv');
  const r = await runChild(['collect', missing, '--store', join(dir, 'b.db')]);
  assert.equal(r.code, 2);
  const shown = `${dir}/no\\x0asuch\\x1b[2J.csv`;
  const message = `${shown}: cannot read: ENOENT: no such file or directory, stat '${shown}'`;
  assert.equal(r.stderr, `churnlink collect: ${message}\n`);
});

test('escaped names: report on a store whose name holds a line feed', async () => {
  const r = await runChild(['report', '--store', join(dir, 'x\ny.db')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `churnlink report: store ${dir}/x\\x0ay.db does not exist (run churnlink collect first)\n`);
});

test('escaped names: collecting a file a second time', async () => {
  const trace = join(dir, 'twice\nname.csv');
  copyFileSync(join(FIXTURES, 'tiny.msr.csv'), trace);
  const store = join(dir, 'twice.db');
  const first = await runChild(['collect', trace, '--store', store]);
  assert.equal(first.code, 0, first.stderr);
  const again = await runChild(['collect', trace, '--store', store]);
  assert.equal(again.code, 2);
  const at = /^churnlink collect: (.*) was already collected into (.*) as run 1 \(\S+\); refusing/.exec(again.stderr);
  assert.deepEqual([at?.[1], at?.[2]], [`${dir}/twice\\x0aname.csv`, store]);
  assert.ok(again.stderr.endsWith(' to replace that run\n'), again.stderr);
  assert.equal(again.stderr.split('\n').length, 2);
});
