import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { runChild } from '../support/child.js';

const TRACEFS = '/sys/kernel/tracing';

function liveMissing(): string | false {
  let reason: string | false = false;
  if (process.getuid?.() !== 0) reason = 'not root';
  else if (spawnSync('losetup', ['--version']).status !== 0) reason = 'losetup is absent';
  else if (!existsSync(join(TRACEFS, 'instances')) && spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS]).status !== 0) reason = 'tracefs is absent and cannot be mounted';
  else if (!existsSync(join(TRACEFS, 'events', 'block', 'block_bio_queue'))) reason = 'the block_bio_queue tracepoint is absent';
  if (reason) console.log(`# skip: live lifecycle tests: ${reason}`);
  return reason;
}

const missing = liveMissing();
const dir = tempDir();
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('live that fails to start (a ring buffer the kernel cannot allocate) leaves no store, or the store as it was', { skip: missing }, async () => {
  const file = join(dir, 'fail.img');
  execFileSync('truncate', ['-s', '16M', file]);
  const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  try {
    const fresh = join(dir, 'fresh.db');
    // 4 TB per CPU: the kernel refuses it (ENOMEM) when the instance is set up.
    const r = await runChild(['live', '--device', dev, '--store', fresh, '--buffer-kb', '4000000000', '--duration', '5s'], { timeoutMs: 30_000 });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'churnlink live: --buffer-kb 4000000000: the kernel cannot allocate a trace buffer of 4000000000 KiB per CPU (ENOMEM); ' +
      'give a smaller --buffer-kb (default 32768)\n');
    for (const suffix of ['', '-wal', '-shm']) assert.equal(existsSync(fresh + suffix), false, `${fresh}${suffix} exists`);
    const kept = join(dir, 'kept.db');
    assert.equal((await runCli('collect', join(ROOT, 'samples', 'sample-msr.csv.gz'), '--store', kept, '--interval', '5m')).code, 0);
    const before = sha256(kept);
    const again = await runChild(['live', '--device', dev, '--store', kept, '--buffer-kb', '4000000000', '--duration', '5s'], { timeoutMs: 30_000 });
    assert.equal(again.code, 2);
    assert.equal(sha256(kept), before);
  } finally {
    spawnSync('losetup', ['-d', dev]);
  }
});
