import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitset, popcount32 } from '../../src/bitmap/bitset.js';

test('popcount32 counts bits of any 32-bit word', () => {
  assert.equal(popcount32(0), 0);
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0x80000001), 2);
});

test('bitset grows, ORs and counts ranges exactly', () => {
  const a = new Bitset(32);
  a.setRange(1, 2);
  a.setRange(100_000, 100_001);
  a.setRange(40, 104); // 64 bits
  assert.equal(a.count(), 66);
  assert.equal(a.countRange(0, 64), 25); // bit 1 + 40..63
  assert.equal(a.countRange(41, 42), 1);
  const b = new Bitset();
  b.setRange(100, 200);
  assert.equal(a.countAnd(b), 4); // 100..103
  a.or(b);
  assert.equal(a.count(), 66 + 96);
  a.clear();
  assert.equal(a.count(), 0);
});
