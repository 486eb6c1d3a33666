import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, tempDir } from '../helpers.js';
import { cleanUp, exitOf, trackChild, waitUntil } from './cleanup.js';

/*
 * The test harness itself: a failing test must not leave a child running (the test file, and
 * `npm test`, would never exit), and a suite that cannot run must show as skipped with the reason.
 */

after(cleanUp);
const dir = tempDir();
const support = (file: string): string => pathToFileURL(join(ROOT, 'dist', 'test', 'support', file)).href;

/** Start the test file FILE in a child (`node --test-reporter=tap FILE`, TAP streamed as it runs). */
function startTestFile(file: string, extraEnv: NodeJS.ProcessEnv = {}) {
  // Without the runner's NODE_TEST_CONTEXT, which would make the child report to this runner.
  const { NODE_TEST_CONTEXT: _, ...env } = { ...process.env, ...extraEnv };
  const args = ['--test-reporter=tap', file];
  const proc = trackChild(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env }));
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return { proc, out: () => out };
}

/** Run the test file FILE; its TAP output and exit code, or `timedOut` (then it was killed). */
async function nodeTest(file: string, timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}) {
  const { proc, out } = startTestFile(file, extraEnv);
  try {
    const code = await exitOf(proc, file, timeoutMs);
    return { code, out: out(), timedOut: false };
  } catch {
    return { code: null, out: out(), timedOut: true }; // exitOf killed it at the deadline
  }
}

/** A test file whose test starts a long-lived child, then fails; with or without the clean-up hook. */
function failingFile(name: string, withCleanUp: boolean): { file: string; pidFile: string } {
  const pidFile = join(dir, `${name}.pid`);
  const file = join(dir, `${name}.test.mjs`);
  writeFileSync(
    file,
    `
import { after, test } from 'node:test';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cleanUp, trackChild } from ${JSON.stringify(support('cleanup.js'))};
${withCleanUp ? 'after(cleanUp);' : ''}
test('starts a server-like child, then fails', () => {
  const child = trackChild(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'pipe' }));
  writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
  throw new Error('the test failed before it stopped its child');
});
`,
  );
  return { file, pidFile };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
};

test('a failing test file that started a child exits, reports the failure, and the child is gone', async () => {
  // Without the clean-up hook the file cannot exit (the control: the defect is real). Once its
  // test has reported, it is given 3 s to exit, which it does not take.
  const hanging = failingFile('without', false);
  const stuck = startTestFile(hanging.file);
  await waitUntil(() => /^not ok 1 /m.test(stuck.out()), 'the failing test to report', 60_000);
  await assert.rejects(exitOf(stuck.proc, 'a test file without clean-up', 3_000), /no exit within 3000 ms/);
  process.kill(Number(readFileSync(hanging.pidFile, 'utf8')), 'SIGKILL'); // the stray the defect leaves behind

  const clean = failingFile('with', true);
  const r = await nodeTest(clean.file, 60_000);
  assert.equal(r.timedOut, false, r.out);
  assert.equal(r.code, 1);
  assert.match(r.out, /^not ok 1 - starts a server-like child, then fails$/m);
  assert.match(r.out, /the test failed before it stopped its child/);
  const pid = Number(readFileSync(clean.pidFile, 'utf8'));
  assert.equal(alive(pid), false, `child ${pid} still runs`);
});

test('the PostgreSQL suite shows every test as skipped, with the reason, when no server can start', async () => {
  // Server binaries whose initdb fails: a PostgreSQL that is installed but cannot start here.
  const bin = join(dir, 'pg', 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['postgres', 'initdb', 'pg_ctl', 'createdb']) {
    const script = '#!/bin/sh\necho "initdb: cannot create the data directory" >&2\nexit 1\n';
    writeFileSync(join(bin, name), script, { mode: 0o755 });
  }
  const suite = join(ROOT, 'dist', 'test', 'store', 'postgres.test.js');
  assert.ok(existsSync(suite));
  const r = await nodeTest(suite, 60_000, { CHURNLINK_TEST_PGBIN: bin });
  assert.equal(r.timedOut, false, r.out);
  assert.equal(r.code, 0, r.out);
  const results = r.out.split('\n').filter((l) => /^(not )?ok \d+ - /.test(l));
  // Every conformance test (the suite grows) and the unreachable-server test: all of them skipped.
  assert.ok(results.length >= 8, r.out);
  // As root the fake initdb runs as the postgres user, who may not even reach it: either way it fails.
  const reasons = new Set(results.map((l) => /^ok \d+ - .* # SKIP (.*)$/.exec(l)?.[1]));
  assert.equal(reasons.size, 1, r.out);
  assert.match([...reasons][0]!, /^cannot start a PostgreSQL server: initdb failed: \S/);
});
