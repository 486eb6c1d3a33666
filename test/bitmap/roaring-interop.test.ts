import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoaringBitmap32, roaringLibraryInitialize } from 'roaring-wasm';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { prng } from '../../bench/generate.js';

// CRoaring (compiled to WebAssembly) is the reference for the portable format: what we write it
// must read, and what it writes (with run containers after runOptimize) we must read.
function sampleSets(): number[][] {
  const rand = prng(42);
  const sets: number[][] = [[], [0], [0xffff_ffff]];
  for (let s = 0; s < 30; s++) {
    const values = new Set<number>();
    const kind = s % 3;
    const n = 1 + Math.floor(rand() * 20_000);
    for (let i = 0; i < n; i++) {
      if (kind === 0) values.add(Math.floor(rand() * 2 ** 32));
      else if (kind === 1) values.add(Math.floor(rand() * 200_000));
      else {
        const start = Math.floor(rand() * 10_000_000);
        for (let j = 0; j < 50; j++) values.add(start + j);
      }
    }
    sets.push([...values].sort((a, b) => a - b));
  }
  return sets;
}

test('CRoaring reads what we write, and we read what CRoaring writes', async () => {
  await roaringLibraryInitialize();
  for (const values of sampleSets()) {
    const ours = serializeRoaring(Uint32Array.from(values));
    const theirs = RoaringBitmap32.deserialize(ours, 'portable');
    assert.equal(theirs.size, values.length);
    assert.deepEqual(theirs.toArray(), values);
    theirs.runOptimize();
    const back = theirs.serialize('portable');
    assert.deepEqual(decodeRoaring(back), values);
    // Same container choices as CRoaring after runOptimize: identical bytes.
    assert.equal(Buffer.from(ours).toString('hex'), Buffer.from(back).toString('hex'));
    theirs.dispose();
  }
});
