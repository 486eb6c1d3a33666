import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readers } from '../../src/readers/index.js';
import { parseCsvMapping } from '../../src/readers/csv-mapping.js';
import { InputError, UsageError } from '../../src/errors.js';
import { decodeAll, FIXTURES } from '../helpers.js';
import { FIXTURE_RENDERINGS } from './renderings.js';

const csvMapping = parseCsvMapping({ columns: 'time=time:s,volume=volume,op=op,offset=lba:sector,length=size:B' });

/** Decoding either succeeds or fails with the documented error types — nothing else escapes. */
function decodesOrRejects(format: string, bytes: Uint8Array, chunk: number, skipBad: boolean): boolean {
  try {
    const { records } = decodeAll(readers[format]!, bytes, { csv: csvMapping, skipBad }, chunk);
    for (const r of records) {
      if (!Number.isFinite(r.timeUs) || !(r.offsetBytes >= 0) || !(r.lengthBytes >= 0)) return false;
    }
    return true;
  } catch (err) {
    return err instanceof InputError || err instanceof UsageError;
  }
}

const fixtureOf = new Map(FIXTURE_RENDERINGS.map((r) => [r.format, readFileSync(join(FIXTURES, r.files[0]!))]));

for (const format of Object.keys(readers)) {
  test(`fuzz: ${format} takes random bytes and mutated fixtures without crashing`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 97 }), fc.boolean(), (bytes, chunk, skipBad) => decodesOrRejects(format, bytes, chunk, skipBad)),
      { numRuns: 150, seed: 20261125 },
    );
    const fixture = fixtureOf.get(format)!;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: fixture.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: fixture.length }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (flips, cut, chunk, skipBad) => {
          const bytes = Uint8Array.from(fixture.subarray(0, cut));
          for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
          return decodesOrRejects(format, bytes, chunk, skipBad);
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
    assert.ok(true);
  });
}
