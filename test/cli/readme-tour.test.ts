import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

/** The shell lines of the README's "A tour" code block, comments and blank lines left out. */
function tourCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A tour'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has a tour code block');
  return block[1]!
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

test('every command of the README tour works as written, in order, on the shipped sample', () => {
  const commands = tourCommands();
  assert.ok(commands.length >= 10, `the tour has its commands (${commands.length})`);
  for (const c of commands) assert.match(c, /^churnlink /, 'the tour runs churnlink only');
  // What the set-up gives a user: this checkout's samples and `churnlink` on PATH (npm link).
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(join(ROOT, 'bin', 'churnlink.js'), join(bin, 'churnlink'));
  symlinkSync(join(ROOT, 'samples'), join(dir, 'samples'));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  for (const command of commands) {
    const r = spawnSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${command}\nexit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
    if (!/ -o /.test(command)) assert.ok(r.stdout.length > 0, `${command} prints its result`);
  }
  // The tour's outputs exist where it says.
  assert.ok(existsSync(join(dir, 'churn.db')) && statSync(join(dir, 'report.html')).size > 10_000);
});
