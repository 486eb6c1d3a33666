import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { cleanUp, trackChild } from '../support/cleanup.js';
import { ROOT, tempDir } from '../helpers.js';

/**
 * `churnlink report ... | head -1`: the reader closes the pipe early. The CLI exits quietly with
 * status 0, no "Unhandled 'error' event ... EPIPE" stack trace.
 */
const dir = tempDir();
after(async () => {
  await cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

const store = join(dir, 'sample.db');

/** Run the CLI; close our end of its stdout after the first chunk (or at once, before any output). */
interface Closed {
  code: number | null;
  stderr: string;
  chunks: number;
}

function closedEarly(args: string[], atOnce: boolean): Promise<Closed> {
  const child = trackChild(
    spawn(process.execPath, [join(ROOT, 'bin', 'churnlink.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  let chunks = 0;
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  if (atOnce) child.stdout.destroy();
  else
    child.stdout.once('data', () => {
      chunks++;
      child.stdout.destroy();
    });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, chunks });
    }),
  );
}

test("closed stdout: a store of 720 ten-second intervals (an 87 KB CSV report, past a pipe's 64 KiB)", async () => {
  const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');
  const r = await runChild(['collect', sample, '--store', store, '--interval', '10s']);
  assert.equal(r.code, 0, r.stderr);
});

const COMMANDS = [
  ['report', '--store', store, '--by', 'volume', '--per', 'interval', '--format', 'csv'],
  ['report', '--store', store, '--by', 'volume', '--per', 'interval', '--format', 'json'],
  ['report', '--store', store, '--by', 'volume', '--per', 'interval'],
  ['runs', '--store', store],
  ['--help'],
];

for (const args of COMMANDS) {
  for (const atOnce of [true, false]) {
    const when = atOnce ? 'before any output' : 'after the first chunk';
    test(`closed stdout: ${args.filter((a) => a !== store).join(' ')} exits 0 quietly when its reader leaves ${when}`, async () => {
      const r = await closedEarly(args, atOnce);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      if (!atOnce) assert.equal(r.chunks, 1);
    });
  }
}
