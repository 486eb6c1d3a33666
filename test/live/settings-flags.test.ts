import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';
import { cleanUp } from '../support/cleanup.js';
import { liveMissing, loopDevice, TRACEFS } from '../support/live.js';

// The store refuses other settings in parameter terms (intervalS, trackBytes); `churnlink live`
// says its flags, as `churnlink collect` does.

const missing = liveMissing('live settings refusal');
const dir = tempDir();
after(cleanUp); // the loop device

test('live into a store of other settings names --store, --interval and --track', { skip: missing }, async () => {
  const store = join(dir, 's.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store)).code, 0);
  const dev = loopDevice(dir, 'settings.img');
  const r = await runCli('live', '--device', dev, '--store', store, '--interval', '2m', '--duration', '1s', '--quiet');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    `churnlink live: store ${store} holds 60 s intervals of 65536 B tracks; ` +
      'this collection asks for 120 s and 65536 B. Use another --store, or the stored --interval and --track\n',
  );
  const own = readdirSync(join(TRACEFS, 'instances')).filter((n) => n.startsWith(`churnlink-${process.pid}`));
  assert.deepEqual(own, []); // the refused collector removed its trace instance
});
