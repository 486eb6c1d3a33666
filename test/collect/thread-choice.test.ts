import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldAddDecoder, type DecodeWindow } from '../../src/collect/thread-choice.js';

// One decoder read 100 MB in a 0.5 s window (200 MB/s) with 1 GB left: 5 s of decoding left; the
// collecting thread was busy 0.1 s of the 0.5 s, the machine's cores idle 0.4 core-seconds.
const base: DecodeWindow = {
  decoders: 1,
  maxDecoders: 2,
  windowS: 0.5,
  decodedBytes: 100e6,
  remainingBytes: 1e9,
  consumerBusyS: 0.1,
  idleCoreS: 0.4,
};

test('a second decoder is added when the consumer waits, a core is idle and enough is left', () => {
  assert.equal(shouldAddDecoder(base), true);
});

test('no decoder past the most allowed', () => {
  assert.equal(shouldAddDecoder({ ...base, decoders: 2 }), false);
  assert.equal(shouldAddDecoder({ ...base, maxDecoders: 1 }), false);
  assert.equal(shouldAddDecoder({ ...base, decoders: 2, maxDecoders: 4 }), true);
});

test('no decoder while the collecting thread is the bottleneck (busy over half the window)', () => {
  assert.equal(shouldAddDecoder({ ...base, consumerBusyS: 0.25 }), true); // exactly half: still waits half
  assert.equal(shouldAddDecoder({ ...base, consumerBusyS: 0.26 }), false);
  assert.equal(shouldAddDecoder({ ...base, consumerBusyS: 0.5 }), false);
});

test('no decoder without an idle core (half a core on average over the window)', () => {
  assert.equal(shouldAddDecoder({ ...base, idleCoreS: 0.25 }), true);
  assert.equal(shouldAddDecoder({ ...base, idleCoreS: 0.24 }), false);
  assert.equal(shouldAddDecoder({ ...base, idleCoreS: 0 }), false);
});

test('no decoder when under 1 s of decoding is left at the measured rate', () => {
  // 200 MB/s: 200 MB left is exactly 1 s, 199.9 MB under it.
  assert.equal(shouldAddDecoder({ ...base, remainingBytes: 200e6 }), true);
  assert.equal(shouldAddDecoder({ ...base, remainingBytes: 199.9e6 }), false);
  // The rate is measured over both decoders: 2 decoders at 400 MB/s need 400 MB left.
  assert.equal(
    shouldAddDecoder({ ...base, decoders: 2, maxDecoders: 3, decodedBytes: 200e6, remainingBytes: 399e6 }),
    false,
  );
});

test('no decision without a measurement (empty window, nothing decoded: e.g. a worker waiting on the store)', () => {
  assert.equal(shouldAddDecoder({ ...base, windowS: 0 }), false);
  assert.equal(shouldAddDecoder({ ...base, decodedBytes: 0 }), false);
});
