import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { tempDir } from '../helpers.js';

/**
 * Volume names are read as UTF-8 (as written), through collect, the store and every report:
 * `café` stays `café`, not its Latin-1 reading `cafÃ©`; an invalid byte becomes U+FFFD.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

// 0xff is never valid in UTF-8; `x\xffy` must read as `x\ufffdy`.
const MSR = Buffer.concat([
  Buffer.from('\ufeff134120448005000000,café,0,Write,0,4096,1234\n', 'utf8'),
  Buffer.from('134120448006000000,a\u202eevil,0,Write,0,4096,1234\n', 'utf8'),
  Buffer.from('134120448007000000,日本,1,Write,65536,4096,1234\n', 'utf8'),
  Buffer.from('134120448008000000,x', 'latin1'),
  Buffer.from([0xff]),
  Buffer.from('y,0,Write,0,512,1\n', 'latin1'),
]);

async function volumesOf(store: string, ...extra: string[]): Promise<string[]> {
  const r = await runChild(['report', '--store', store, '--by', 'volume', '--format', 'json', ...extra]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return (JSON.parse(r.stdout) as { volume: string }[]).map((v) => v.volume).sort();
}

test('utf8: msr host names are decoded as UTF-8 (invalid bytes as U+FFFD), a BOM is skipped', async () => {
  const trace = join(dir, 'names.msr.csv');
  writeFileSync(trace, MSR);
  const store = join(dir, 'msr.db');
  const r = await runChild(['collect', trace, '--store', store, '--interval', '60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await volumesOf(store), ['a\u202eevil_0', 'café_0', 'x\ufffdy_0', '日本_1'].sort());
});

test('utf8: generic CSV volume names are UTF-8, quoted or not', async () => {
  const trace = join(dir, 'names.csv');
  writeFileSync(trace, 'time,vol,op,off,len\n1767571200,café,W,0,4096\n1767571201,"ré""sumé",W,0,4096\n');
  const store = join(dir, 'csv.db');
  const r = await runChild([
    'collect',
    trace,
    '--store',
    store,
    '--interval',
    '60s',
    '--columns',
    'time=time:epoch-s,volume=vol,op=op,offset=off:B,length=len:B',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await volumesOf(store), ['café', 'ré"sumé']);
});

test("utf8: a scope naming café_0 matches the trace's café host", async () => {
  const trace = join(dir, 'scoped.msr.csv');
  writeFileSync(trace, MSR);
  const scope = join(dir, 'scope.yaml');
  writeFileSync(scope, 'volumes:\n  - { name: café_0, capacity: 1GiB, group: g }\n');
  const store = join(dir, 'scoped.db');
  const r = await runChild(['collect', trace, '--store', store, '--interval', '60s', '--scope', scope]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await volumesOf(store), ['café_0']);
});
