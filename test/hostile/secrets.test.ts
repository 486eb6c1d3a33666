import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactLocation, scrubSecrets } from '../../src/store/location.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { UsageError } from '../../src/errors.js';
import { ROOT, tempDir } from '../helpers.js';
import { runChild, type ChildResult } from '../support/child.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../support/postgres.js';

const dir = tempDir();
const missing = postgresMissing();
const SECRET = 'S3cr3t-pw_9x';
const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');

test('store locations: the password and credential-like query values are redacted, harmless ones kept', () => {
  assert.equal(
    redactLocation('postgres://churn@h:55432/churn?password=S3cr3t'),
    'postgres://churn@h:55432/churn?password=***',
  );
  assert.equal(
    redactLocation(
      'postgres://u:p@ss/w@h/db?sslmode=require&sslpassword=x%40y&sslkey=/k/key.pem&sslcert=/c&application_name=a',
    ),
    'postgres://u:***@h/db?sslmode=require&sslpassword=***&sslkey=***&sslcert=***&application_name=a',
  );
  assert.equal(redactLocation('postgresql://h/db'), 'postgresql://h/db');
  assert.equal(
    redactLocation('POSTGRES://u:@h/db?PassWord=1&connect_timeout=5'),
    'POSTGRES://u:***@h/db?PassWord=***&connect_timeout=5',
  );
  assert.equal(redactLocation('churn.db'), 'churn.db');
  assert.equal(
    scrubSecrets(
      'could not connect with x@y (postgres://u:p@ss/w@h/db?sslpassword=x%40y)',
      'postgres://u:p@ss/w@h/db?sslpassword=x%40y',
    ),
    'could not connect with *** (postgres://u:***@h/db?sslpassword=***)',
  );
});

/** No output of `r` and no file in `files` holds the secret. */
function assertNoSecret(r: ChildResult, files: string[] = []): void {
  assert.equal(r.stdout.includes(SECRET), false, `stdout holds the secret: ${r.stdout}`);
  assert.equal(r.stderr.includes(SECRET), false, `stderr holds the secret: ${r.stderr}`);
  for (const f of files) assert.equal(readFileSync(f, 'utf8').includes(SECRET), false, `${f} holds the secret`);
}

let server: TestPostgres | null = null;
let databases = 0;
async function database(): Promise<{ host: string; name: string }> {
  server ??= await startPostgres({ password: SECRET });
  const name = `secrets_${databases++}`;
  server.createDatabase(name);
  return { host: new URL(server.url(name)).host, name };
}

test(
  'postgres with a password: no output and no report file shows it (URL password, query password, ssl parameters)',
  { skip: missing },
  async () => {
    for (const form of ['userinfo', 'query'] as const) {
      const { host, name } = await database();
      const url =
        form === 'userinfo'
          ? `postgres://postgres:${SECRET}@${host}/${name}`
          : `postgres://postgres@${host}/${name}?sslmode=disable&password=${SECRET}`;
      const shown =
        form === 'userinfo'
          ? `postgres://postgres:***@${host}/${name}`
          : `postgres://postgres@${host}/${name}?sslmode=disable&password=***`;
      const collect = await runChild(['collect', sample, '--store', url, '--interval', '5m', '--quiet']);
      assert.equal(collect.code, 0, collect.stderr);
      assert.match(
        collect.stdout,
        new RegExp(`^run 1: collected 100,000 records from .* into ${shown.replace(/[.*?+^$()|[\]\\]/g, '\\$&')}\n`),
      );
      assertNoSecret(collect);
      const runs = await runChild(['runs', '--store', url]);
      assert.equal(runs.code, 0, runs.stderr);
      assert.equal(runs.stdout.split('\n')[0], `store ${shown}: 5 min intervals, 64.00 KiB tracks`);
      assertNoSecret(runs);
      const html = join(dir, `report-${form}.html`);
      const report = await runChild(['report', '--store', url, '--format', 'html', '-o', html]);
      assert.equal(report.code, 0, report.stderr);
      assert.ok(readFileSync(html, 'utf8').includes(`Store ${shown.replace(/&/g, '&amp;')}`));
      assertNoSecret(report, [html]);
      const again = await runChild(['collect', sample, '--store', `${url}`, '--quiet']);
      assert.equal(again.code, 2);
      assertNoSecret(again);
    }
  },
);

test(
  'postgres: a wrong password, an unreachable server and ssl files fail without showing the secrets',
  { skip: missing },
  async () => {
    const { host, name } = await database();
    const wrong = await runChild(['runs', '--store', `postgres://postgres:${SECRET}x@${host}/${name}`]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /password authentication failed/);
    assertNoSecret(wrong);
    // The CLI retries an unreachable server for minutes; the library call gives up at once.
    const unreachable = `postgres://postgres@127.0.0.1:1/${name}?password=${SECRET}&sslpassword=${SECRET}&connect_timeout=2`;
    await assert.rejects(
      PostgresStore.open(unreachable, { retryForS: 0 }),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message.startsWith(
          `store: cannot use PostgreSQL at postgres://postgres@127.0.0.1:1/${name}?password=***&sslpassword=***&connect_timeout=2: `,
        ) &&
        !e.message.includes(SECRET),
    );
    const sslfiles = await runChild([
      'runs',
      '--store',
      `postgres://postgres@${host}/${name}?sslmode=require&sslkey=/nonexistent/${SECRET}.key&sslcert=/nonexistent/${SECRET}.crt`,
    ]);
    assert.notEqual(sslfiles.code, 0);
    assertNoSecret(sslfiles);
  },
);

test(
  'postgres: PGPASSWORD and a .pgpass file give the password (no secret in the URL, no warning)',
  { skip: missing },
  async () => {
    const { host, name } = await database();
    const url = `postgres://postgres@${host}/${name}`;
    const { PGPASSWORD: _unused, PGPASSFILE: _unused2, ...env } = process.env;
    const none = await runChild(['collect', sample, '--store', url, '--quiet'], { env: { ...env, HOME: dir } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /password/);
    const byEnv = await runChild(['collect', sample, '--store', url, '--quiet'], {
      env: { ...env, PGPASSWORD: SECRET },
    });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.equal(byEnv.stderr, '');
    assertNoSecret(byEnv);
    const pgpass = join(dir, '.pgpass');
    writeFileSync(pgpass, `# host:port:database:user:password\n${host.replace(':', ':')}:${name}:postgres:${SECRET}\n`);
    chmodSync(pgpass, 0o600);
    const byFile = await runChild(['runs', '--store', url], { env: { ...env, HOME: dir } });
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.equal(byFile.stderr, '');
    assertNoSecret(byFile);
    const byPassfile = await runChild(['runs', '--store', url], {
      env: { ...env, HOME: '/nonexistent', PGPASSFILE: pgpass },
    });
    assert.equal(byPassfile.code, 0, byPassfile.stderr);
  },
);
