import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pg from 'pg';
import { runChild, type ChildResult } from '../support/child.js';
import { freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { cleanUp, waitUntil } from '../support/cleanup.js';
import { FIXTURES, ROOT } from '../helpers.js';

// What a command says when PostgreSQL refuses it or goes away under it: the store named (password
// hidden), what to do, and an exit status saying whose the problem is (2: the user's to fix).
const missing = await postgresUnavailable();
after(cleanUp);
const tiny = join(FIXTURES, 'tiny.msr.csv');
// The shipped sample spans days: reports read its hour and day rollups.
const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');
const HUSH = 'hush5ecret';

/** A store collected from the tiny fixture, and a client of its database as the owner. */
async function collected(prefix: string): Promise<{ url: string; admin: pg.Client }> {
  const url = await freshDatabase(prefix);
  const r = await runChild(['collect', sample, '--store', url, '--interval', '5m', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return { url, admin };
}

/** `url` as the login `role`, with a password in it (the trust-auth test server ignores it). */
function as(url: string, role: string): { href: string; shown: string } {
  const u = new URL(url);
  u.username = role;
  u.password = HUSH;
  return { href: u.href, shown: u.href.replace(HUSH, '***') };
}

async function role(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${name}')
    THEN CREATE ROLE ${name} LOGIN; END IF; END $$`);
  await admin.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
  await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${name}`);
}

const noSecret = (r: ChildResult): void => assert.equal((r.stdout + r.stderr).includes(HUSH), false, r.stderr);

test(
  'postgres: a role without SELECT on one table gets exit 2 naming the store and the grant it needs',
  { skip: missing },
  async () => {
    const { url, admin } = await collected('refused');
    try {
      await role(admin, 'churn_partial');
      await admin.query('REVOKE SELECT ON churnlink_rollups FROM churn_partial');
      const { href, shown } = as(url, 'churn_partial');
      for (const args of [['report'], ['report', '--models'], ['report', '--per', '1h', '--threads', '2']]) {
        const r = await runChild([...args, '--store', href], { timeoutMs: 60_000 });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(
          r.stderr,
          `churnlink report: store: PostgreSQL at ${shown} refused: permission denied for table churnlink_rollups: ` +
            'this role needs SELECT on every churnlink_ table to read (and INSERT, UPDATE and DELETE to collect)\n',
        );
        noSecret(r);
      }
    } finally {
      await admin.end();
    }
  },
);

test(
  'postgres: a connection lost in the middle of a report fails it at once (exit 1), naming the store',
  { skip: missing },
  async () => {
    const { url, admin } = await collected('lost');
    try {
      await role(admin, 'churn_lost');
      const { href, shown } = as(url, 'churn_lost');
      // The report's reads of the rollups wait on this lock; its connection is then ended from here.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE churnlink_rollups IN ACCESS EXCLUSIVE MODE');
      const child = runChild(['report', '--store', href], { timeoutMs: 60_000 });
      let pid: number | undefined;
      const waiting = async (): Promise<boolean> => {
        await admin.query('SELECT pg_stat_clear_snapshot()'); // read once per transaction otherwise
        const { rows } = await admin.query(
          "SELECT pid FROM pg_stat_activity WHERE usename = 'churn_lost' AND wait_event_type = 'Lock'",
        );
        pid = rows[0]?.pid as number | undefined;
        return pid !== undefined;
      };
      try {
        await waitUntil(waiting, 'the report to wait on the lock', 30_000, 50);
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      } finally {
        await admin.query('ROLLBACK');
      }
      const r = await child;
      assert.equal(r.signal, null, 'the report was still running after 60 s');
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^churnlink report: store: lost the connection to PostgreSQL at ${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ` +
            '\\(terminating connection due to administrator command\\) \\(run with --debug for details\\)\\n$',
        ),
      );
      assert.equal(r.stdout, '');
      noSecret(r);
    } finally {
      await admin.end();
    }
  },
);

test(
  'postgres: a server that asks for a password none was given for: exit 2 at once, saying where to give it',
  { skip: missing },
  async () => {
    const server = await startPostgres({ password: HUSH });
    server.createDatabase('pw');
    const url = server.url('pw'); // no password in it
    // No password from the environment either: no PGPASSWORD, and a password file that is not there.
    const env: NodeJS.ProcessEnv = { ...process.env, PGPASSFILE: join(FIXTURES, 'no-such-pgpass') };
    delete env.PGPASSWORD;
    for (const args of [['runs'], ['report'], ['collect', tiny, '--interval', '1m']]) {
      // node-postgres left the socket open: the process then waited for the server's 60 s timeout.
      const r = await runChild([...args, '--store', url], { timeoutMs: 30_000, env });
      assert.equal(r.signal, null, `${args[0]} still running after 30 s`);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^churnlink \w+: store: cannot use PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/pw: .*client password must be a string: the server asks for a password; give it in the URL, in PGPASSWORD or in ~\/\.pgpass \(mode 0600\)\n$/,
      );
    }
  },
);
