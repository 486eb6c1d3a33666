import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

/**
 * Start-up is part of every collect's fixed cost: a command on a SQLite store loads neither the
 * PostgreSQL client (pg), the Prometheus client (prom-client, for `live` only) nor the YAML parser
 * (for a scope file only).
 */
test('start-up: collect into a SQLite store without a scope file loads neither pg, prom-client nor yaml', () => {
  const dir = tempDir();
  const script = `
    const { main } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/main.js'))});
    const io = { out: () => {}, err: (t) => process.stderr.write(t), stderrIsTty: false };
    const code = await main(['collect', ${JSON.stringify(join(ROOT, 'test/fixtures/tiny.msr.csv'))},
      '--store', ${JSON.stringify(join(dir, 's.db'))}], io);
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ code, pg: loaded.some((p) => p.includes('/node_modules/pg/')),
      promClient: loaded.some((p) => p.includes('/node_modules/prom-client/')),
      yaml: loaded.some((p) => p.includes('/node_modules/yaml/')),
      sqlite: loaded.some((p) => p.includes('/node_modules/better-sqlite3/')) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(r.stdout), { code: 0, pg: false, promClient: false, yaml: false, sqlite: true });
});
