import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferCleanup } from './cleanup.js';

/** A real PostgreSQL server started for a test file, on 127.0.0.1 and a free port. */
export interface TestPostgres {
  url: (database?: string) => string;
  createDatabase(name: string): void;
  stop(): void;
  start(): void;
  restart(): void;
}

/** The server binaries: `CHURNLINK_TEST_PGBIN` if set, else the newest under /usr/lib/postgresql. */
function binDir(): string | null {
  const chosen = process.env.CHURNLINK_TEST_PGBIN;
  if (chosen !== undefined) return existsSync(join(chosen, 'postgres')) ? chosen : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0]!, 'bin');
}

/** Why PostgreSQL tests must skip, or false when the server binaries are there (see postgresUnavailable). */
export function postgresMissing(): string | false {
  if (binDir() === null) {
    console.log('# skip: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
    return 'PostgreSQL server binaries are absent';
  }
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * initdb into a temporary directory and start the server (as the postgres user when running as
 * root, since the server refuses root). Stopped at the test file's clean-up.
 */
export async function startPostgres(setup: { password?: string } = {}): Promise<TestPostgres> {
  const bin = binDir();
  if (bin === null) throw new Error('no PostgreSQL binaries');
  const dir = mkdtempSync(join(tmpdir(), 'churnlink-pg-'));
  const asRoot = process.getuid?.() === 0;
  const data = join(dir, 'data');
  // Stopped and removed in the test file's `after(cleanUp)` (or at exit), even when a test fails.
  deferCleanup(`PostgreSQL server in ${dir}`, () => {
    const stop = ['-D', data, '-m', 'immediate', 'stop'];
    if (existsSync(join(data, 'postmaster.pid'))) {
      const pgCtl = join(bin, 'pg_ctl');
      const args = asRoot ? ['-u', 'postgres', '--', pgCtl, ...stop] : stop;
      spawnSync(asRoot ? 'runuser' : pgCtl, args, { timeout: 60_000 });
    }
    rmSync(dir, { recursive: true, force: true });
  });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const full = asRoot
      ? (['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] as const)
      : ([join(bin, cmd), args] as const);
    const r = spawnSync(full[0], [...full[1]], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (setup.password === undefined)
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  else {
    // TCP connections must give the password (SCRAM); the Unix socket, used to create databases, stays trusted.
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${setup.password}\n`);
    if (asRoot) chownSync(pwfile, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), 0);
    run('initdb', [
      '-D',
      data,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
  }
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const pg: TestPostgres = {
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => run('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', name]),
    start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    restart: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-m', 'fast', '-w', 'restart']),
  };
  pg.start();
  return pg;
}

let shared: TestPostgres | null = null;
let databases = 0;

let unavailable: Promise<string | false> | null = null;

/**
 * Why PostgreSQL tests must skip, or false when this file's server is running: the binaries must
 * be there and the server must start (it is then the one `freshDatabase` and `sharedServer` use).
 * Tests give the reason as their `skip`, so a suite that cannot run shows as skipped, with why.
 */
export function postgresUnavailable(): Promise<string | false> {
  unavailable ??= (async () => {
    const missing = postgresMissing();
    if (missing) return missing;
    try {
      shared ??= await startPostgres();
      return false;
    } catch (err) {
      const reason = `cannot start a PostgreSQL server: ${(err as Error).message.trim().split('\n')[0]}`;
      console.log(`# skip: ${reason}`);
      return reason;
    }
  })();
  return unavailable;
}

/** A new, empty database on this test file's server (started on first use). */
export async function freshDatabase(prefix: string): Promise<string> {
  shared ??= await startPostgres();
  const name = `${prefix}_${databases++}`;
  shared.createDatabase(name);
  return shared.url(name);
}

/** The server `freshDatabase` started (to stop or restart it). */
export function sharedServer(): TestPostgres {
  if (shared === null) throw new Error('no test server started yet');
  return shared;
}
