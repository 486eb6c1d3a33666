import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { memoryCellSource } from '../../src/report/cells.js';
import { planChurn } from '../../src/report/churn.js';
import { checkModelOptions } from '../../src/report/models.js';
import { BucketPlan, planBuckets } from '../../src/report/window.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// The library names its parameters (cycleS, per, ...); the CLI says the flags the user typed.

const params = { overhead: 0, compression: 1, efficiency: 1 };

test('report library errors name parameters, not flags', async () => {
  const models = { syncWindowS: 1, cycleS: 60, periodS: 3600, params };
  const usage = (message: string) => (err: unknown) => err instanceof UsageError && err.message === message;
  assert.throws(
    () => checkModelOptions(60, { ...models, cycleS: 90 }),
    usage('cycleS 90 s must be a whole multiple of the 60 s collection interval'),
  );
  assert.throws(
    () => checkModelOptions(60, { ...models, periodS: 30 }),
    usage('periodS 30 s must be a whole multiple of the 60 s collection interval'),
  );
  assert.throws(
    () => checkModelOptions(60, { ...models, syncWindowS: 0.5 }),
    usage('syncWindowS must be a whole number of seconds >= 1, not 0.5'),
  );
  const per = usage('per 90 s is not a multiple of the 60 s collection interval');
  assert.throws(() => planBuckets(0, 600, 60, 90), per);
  assert.throws(() => new BucketPlan(0, 600, 60, 90), per);
  const ctx = { intervalS: 60, trackBytes: 65536, scope: EMPTY_SCOPE, capacityBytes: () => null };
  const request = { by: 'dataset' as const, per: null, range: null, datasets: null };
  await assert.rejects(
    planChurn(memoryCellSource(new Map()), request, ctx),
    usage('report by dataset: the scope declares no data sets (give a scope with data sets)'),
  );
});

test('the CLI maps the report library parameters to its flags', async () => {
  const store = join(tempDir(), 'p.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store)).code, 0);
  const cases: [string[], string][] = [
    [['--models', '--cycle', '90s'], '--cycle 90 s must be a whole multiple of the 60 s collection interval'],
    [['--models', '--period', '30s'], '--period 30 s must be a whole multiple of the 60 s collection interval'],
    [['--models', '--sync-window', '0.5s'], '--sync-window must be a whole number of seconds >= 1, not 0.5'],
    [['--format', 'html', '--cycle', '90s'], '--cycle 90 s must be a whole multiple of the 60 s collection interval'],
    [['--by', 'dataset'], 'report --by dataset: the scope declares no data sets (give --scope FILE with datasets:)'],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli('report', '--store', store, ...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr, `churnlink report: ${message}\n`, argv.join(' '));
  }
});
