import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runChild } from '../support/child.js';
import { FIXTURES, ROOT, tempDir } from '../helpers.js';

/**
 * A store SQLite cannot use is named with the reason and what to do: damaged (truncated), no
 * database at all, a new file in a directory that is missing or may not be written, a lock held by
 * another program; and a failed first collection through a dangling link leaves no file behind.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const tiny = join(FIXTURES, 'tiny.msr.csv');
const BIN = join(ROOT, 'bin', 'churnlink.js');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function collected(name: string): Promise<string> {
  const store = join(dir, name);
  const r = await runChild(['collect', tiny, '--store', store, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return store;
}

test('a truncated store is reported as damaged by every command, and left as it is', async () => {
  const store = await collected('whole.db');
  const bytes = readFileSync(store).length;
  for (const keptBytes of [Math.floor(bytes / 2), 50]) {
    const cut = join(dir, `cut-${keptBytes}.db`);
    copyFileSync(store, cut);
    truncateSync(cut, keptBytes);
    const before = sha256(cut);
    for (const args of [['collect', tiny], ['runs'], ['report'], ['plan', '--rpo', '15m'], ['migrate']]) {
      const r = await runChild([...args, '--store', cut]);
      const message =
        `churnlink ${args[0]}: store: ${cut} is damaged (database disk image is malformed); ` +
        'restore it from a copy\n';
      assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', message], `${keptBytes} bytes: ${args[0]}`);
      assert.equal(sha256(cut), before, `${keptBytes} bytes: ${args[0]}`);
    }
  }
});

test('a file that is no SQLite database is said to be none, not damaged', async () => {
  const text = join(dir, 'text.db');
  writeFileSync(text, 'time,volume\n'.repeat(100));
  const r = await runChild(['runs', '--store', text]);
  const message = `churnlink runs: store: ${text} is not a SQLite database (file is not a database); give another --store\n`;
  assert.deepEqual([r.code, r.stderr], [2, message]);
});

test('a new store in a directory that does not exist: the message says so', async () => {
  const store = join(dir, 'nosuchdir', 'new.db');
  const r = await runChild(['collect', tiny, '--store', store]);
  const message =
    `churnlink collect: store: cannot open SQLite file ${store}: ` +
    'Cannot open database because the directory does not exist\n';
  assert.deepEqual([r.code, r.stderr], [2, message]);
  assert.equal(existsSync(join(dir, 'nosuchdir')), false);
});

test('a new store in a directory the user may not write: the message gives the reason', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('switching to an unprivileged user needs root');
  if (spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status !== 0)
    return t.skip('runuser -u nobody is not available');
  const nw = join(dir, 'nw');
  mkdirSync(nw);
  chmodSync(nw, 0o555);
  chmodSync(dir, 0o755);
  const asNobody = (...args: string[]) =>
    spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], { encoding: 'utf8', cwd: '/' });
  if (asNobody('--version').status !== 0) return t.skip(`user nobody cannot run ${BIN}`);
  const store = join(nw, 'new.db');
  const r = asNobody('collect', tiny, '--store', store);
  const message =
    `churnlink collect: store: cannot open SQLite file ${store}: unable to open database file ` +
    `(directory ${nw}: permission denied)\n`;
  assert.deepEqual([r.status, r.stderr], [2, message]);
  assert.deepEqual(readdirSync(nw), []);
});

test('a WAL-mode store whose write lock another program holds: named, with the wait, exit 1', async () => {
  const store = await collected('locked-wal.db');
  const other = new Database(store);
  try {
    other.pragma('journal_mode = WAL'); // another program writing it keeps it in WAL mode
    other.exec('BEGIN IMMEDIATE');
    other.exec("INSERT INTO meta (key, value) VALUES ('held by', 'the test')");
    try {
      // Opening and the switch to WAL pass (readers and WAL need no write lock); its first write waits.
      const r = await runChild(['collect', tiny, '--store', store, '--replace'], { timeoutMs: 60_000 });
      const message =
        `churnlink collect: store: ${store} is locked by another program, or read by a command that holds it in ` +
        'rollback-journal mode (waited 10 s; run this one again when that has finished): database is locked ' +
        '(run with --debug for details)\n';
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', message]);
    } finally {
      other.exec('ROLLBACK');
    }
  } finally {
    other.close();
  }
});

test('a rollback-mode store locked by another program: named, with the wait, exit 1', async () => {
  const store = await collected('locked.db');
  const other = new Database(store);
  try {
    other.pragma('journal_mode = DELETE'); // as another tool may leave it
    // IMMEDIATE lets collect read and then wait to switch to WAL; EXCLUSIVE makes it wait to read.
    for (const mode of ['IMMEDIATE', 'EXCLUSIVE']) {
      other.exec(`BEGIN ${mode}`);
      other.exec("INSERT INTO meta (key, value) VALUES ('held by', 'the test')");
      try {
        const r = await runChild(['collect', tiny, '--store', store, '--replace'], { timeoutMs: 60_000 });
        const message =
          `churnlink collect: store: ${store} is locked by another program, or read by a command that holds it in ` +
          'rollback-journal mode (waited 10 s; run this one again when that has finished): database is locked ' +
          '(run with --debug for details)\n';
        assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', message], mode);
      } finally {
        other.exec('ROLLBACK');
      }
    }
  } finally {
    other.close();
  }
});

test('a failed first collection through a dangling symbolic link leaves no file behind, and the link', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, `${readFileSync(tiny, 'utf8')}garbage,line\n`);
  const link = join(dir, 'dangling.db');
  const target = join(dir, 'link-target.db');
  symlinkSync(target, link);
  const r = await runChild(['collect', bad, '--store', link]);
  assert.deepEqual(
    [r.code, r.stderr],
    [2, `churnlink collect: msr: ${bad}:11: Timestamp is not a whole number: "garbage"\n`],
  );
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('link-target')),
    [],
  );
  assert.equal(existsSync(link), false); // still dangling
  const ok = await runChild(['collect', tiny, '--store', link, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(target), true);
});

test('damage met only while reading chunks is said to be damage of the store, exit 1', async () => {
  const store = await collected('pages.db');
  const bytes = readFileSync(store);
  const PAGE_BYTES = 16384; // a new store's page size; pages 1-3 hold the schema and are kept
  for (let offset = 3 * PAGE_BYTES; offset < bytes.length; offset += PAGE_BYTES) bytes.fill(0xff, offset, offset + 200);
  writeFileSync(store, bytes);
  for (const command of ['runs', 'report']) {
    const r = await runChild([command, '--store', store]);
    const message =
      `churnlink ${command}: the store is damaged (database disk image is malformed); restore it from a copy ` +
      '(run with --debug for details)\n';
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', message], command);
  }
});

function bindMountMissing(): string | false {
  if (process.getuid?.() !== 0) return 'a read-only bind mount needs root';
  const probe = join(dir, 'probe');
  mkdirSync(probe);
  const ok = spawnSync('mount', ['--bind', probe, probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok ? false : 'mount --bind is not permitted here';
}

test('a new store on a read-only file system: the message gives the reason', { skip: bindMountMissing() }, async () => {
  const src = join(dir, 'ro-src');
  const mnt = join(dir, 'ro-mnt');
  mkdirSync(src);
  mkdirSync(mnt);
  assert.equal(spawnSync('mount', ['--bind', src, mnt]).status, 0);
  try {
    assert.equal(spawnSync('mount', ['-o', 'remount,ro,bind', mnt]).status, 0);
    const store = join(mnt, 'new.db');
    const r = await runChild(['collect', tiny, '--store', store]);
    const message =
      `churnlink collect: store: cannot open SQLite file ${store}: unable to open database file ` +
      `(directory ${mnt}: read-only file system)\n`;
    assert.deepEqual([r.code, r.stderr], [2, message]);
    assert.deepEqual(readdirSync(src), []);
  } finally {
    spawnSync('umount', [mnt]);
  }
});
