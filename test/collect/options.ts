import type { CollectOptions } from '../../src/collect/run.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';

/** Library collect options for tests: 1-minute intervals, 64 KiB tracks, host `h`, no scope; `overrides` win. */
export function collectOptions(overrides: Partial<CollectOptions> = {}): CollectOptions {
  return {
    intervalS: 60,
    trackBytes: 65536,
    scope: EMPTY_SCOPE,
    scopeJson: null,
    format: null,
    startUs: 0,
    skipBad: false,
    replace: false,
    volumeName: null,
    host: 'h',
    ...overrides,
  };
}
