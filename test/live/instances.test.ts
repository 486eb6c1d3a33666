import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleInstances } from '../../src/live/tracefs.js';

const TRACEFS = '/sys/kernel/tracing';

function tracefsMissing(): string | false {
  let reason: string | false = false;
  if (process.getuid?.() !== 0) reason = 'not root';
  else if (
    !existsSync(join(TRACEFS, 'instances')) &&
    spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS]).status !== 0
  )
    reason = 'tracefs is absent and cannot be mounted';
  else if (!existsSync('/proc/self/stat')) reason = 'no /proc';
  if (reason) console.log(`# skip: trace instance tests: ${reason}`);
  return reason;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks), read here independently of the code under test. */
const startOf = (pid: number): string =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ')[19]!;

test(
  'instances of dead collectors are removed, also when their PID now belongs to another process',
  { skip: tracefsMissing() },
  async () => {
    // A process that is not a churnlink collector, alive during the test: its PID stands for a reused one.
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    const pid = other.pid!;
    const names = {
      reused: `churnlink-${pid}-${Number(startOf(pid)) - 1}`, // same PID, another start time: the PID was reused
      alive: `churnlink-${process.pid}-${startOf(process.pid)}`, // this process: still running
    };
    try {
      for (const n of Object.values(names)) mkdirSync(join(TRACEFS, 'instances', n));
      const removed = removeStaleInstances(TRACEFS);
      assert.deepEqual(removed.filter((n) => Object.values(names).includes(n)).sort(), [names.reused]);
      const left = readdirSync(join(TRACEFS, 'instances'));
      assert.equal(left.includes(names.alive), true);
      assert.equal(left.includes(names.reused), false);
    } finally {
      other.kill('SIGKILL');
      for (const n of Object.values(names))
        if (existsSync(join(TRACEFS, 'instances', n))) rmdirSync(join(TRACEFS, 'instances', n));
    }
  },
);
