import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { runChild } from '../support/child.js';
import { liveMissing } from '../support/live.js';

const missing = liveMissing('live lifecycle tests');
const dir = tempDir();
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test(
  'live that fails to start (a ring buffer the kernel cannot allocate) leaves no store, or the store as it was',
  { skip: missing },
  async () => {
    const file = join(dir, 'fail.img');
    execFileSync('truncate', ['-s', '16M', file]);
    const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
    try {
      const fresh = join(dir, 'fresh.db');
      // 4 TB per CPU: the kernel refuses it (ENOMEM) when the instance is set up.
      const r = await runChild(
        ['live', '--device', dev, '--store', fresh, '--buffer-kb', '4000000000', '--duration', '5s'],
        { timeoutMs: 30_000 },
      );
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        'churnlink live: --buffer-kb 4000000000: the kernel cannot allocate a trace buffer of 4000000000 KiB per CPU (ENOMEM); ' +
          'give a smaller --buffer-kb (default 32768)\n',
      );
      for (const suffix of ['', '-wal', '-shm'])
        assert.equal(existsSync(fresh + suffix), false, `${fresh}${suffix} exists`);
      const kept = join(dir, 'kept.db');
      assert.equal(
        (await runCli('collect', join(ROOT, 'samples', 'sample-msr.csv.gz'), '--store', kept, '--interval', '5m')).code,
        0,
      );
      const before = sha256(kept);
      const again = await runChild(
        ['live', '--device', dev, '--store', kept, '--buffer-kb', '4000000000', '--duration', '5s'],
        { timeoutMs: 30_000 },
      );
      assert.equal(again.code, 2);
      assert.equal(sha256(kept), before);
    } finally {
      spawnSync('losetup', ['-d', dev]);
    }
  },
);
