import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { FIXTURES, tempDir } from '../helpers.js';

/**
 * A volume name holding NUL is refused on every store the same way (PostgreSQL text cannot hold
 * it; SQLite once stored it): exit 2 naming file, line and field, the store file byte for byte as
 * before; with --skip-bad the record is skipped and counted. The csv mapping with `,` takes the
 * WebAssembly kernel first; with `;` the kernel does not apply and the JS path alone reads it.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const MAP = 'time=time:epoch-s,offset=off:B,length=len:B,op=op,volume=vol';
const LINES = [
  'time,vol,off,len,op',
  '1767565800,a,0,4096,w',
  '1767565800,nul\0name,0,4096,w',
  '1767565860,a,0,4096,w',
];

for (const delimiter of [',', ';']) {
  const path = delimiter === ',' ? 'kernel' : 'JS';
  test(`collect: a csv volume name holding NUL is a bad record (${path} path)`, async () => {
    const store = join(dir, `nul-${path}.db`);
    const seeded = await runChild(['collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--quiet']);
    assert.equal(seeded.code, 0, seeded.stderr);
    const before = readFileSync(store);
    const input = join(dir, `nul-${path}.csv`);
    writeFileSync(input, LINES.map((l) => l.replaceAll(',', delimiter)).join('\n') + '\n');
    const args = ['collect', input, '--store', store, '--columns', MAP, '--delimiter', delimiter, '--quiet'];
    const refused = await runChild(args);
    assert.deepEqual([refused.code, refused.stdout], [2, '']);
    assert.equal(refused.stderr, `churnlink collect: csv: ${input}:3: vol holds a NUL byte: "nul\\x00name"\n`);
    assert.ok(readFileSync(store).equals(before), 'the store file is unchanged');

    const skipped = await runChild([...args, '--skip-bad']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(
      skipped.stdout,
      /\n {2}skipped 1 bad record \(first: csv: .*:3: vol holds a NUL byte: "nul\\x00name"\)\n/,
    );
    const volumes = await runChild(['report', '--store', store, '--format', 'csv']);
    assert.equal(volumes.code, 0, volumes.stderr);
    assert.deepEqual(volumeColumn(volumes.stdout).sort(), ['a', 'hostA_0', 'hostA_1']); // hostA_*: the seed
  });
}

/** The distinct values of the `volume` column of a csv report. */
function volumeColumn(csv: string): string[] {
  const [header, ...rows] = csv.trim().split('\n');
  const at = header!.split(',').indexOf('volume');
  assert.ok(at >= 0, header);
  return [...new Set(rows.map((r) => r.split(',')[at]!))];
}
