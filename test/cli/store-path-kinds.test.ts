import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runChild } from '../support/child.js';
import { FIXTURES, tempDir } from '../helpers.js';

/**
 * A --store that exists and is no regular file (FIFO, socket, device) is refused before SQLite
 * opens it, by every command, exit 2 (SQLite blocked forever on a FIFO, said "disk I/O error"
 * otherwise); a --store ending in / names a directory and is refused when it is none (collect
 * created a file `nosuch` for `nosuch/`). Symbolic links to regular files keep working.
 */
const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const tiny = join(FIXTURES, 'tiny.msr.csv');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const COMMANDS: string[][] = [
  ['collect', tiny],
  ['report'],
  ['runs'],
  ['cycles'],
  ['simulate', '--link', '1x1Gbit'],
  ['plan', '--rpo', '5m'],
  ['migrate'],
  ['live', '--device', '/dev/null'],
];

async function assertRefused(spec: string, what: string): Promise<void> {
  for (const args of COMMANDS) {
    // A hang (SQLite opening a FIFO) ends at the timeout with a code that is not 2.
    const r = await runChild([...args, '--store', spec], { stdin: '', timeoutMs: 20_000 });
    const message = `churnlink ${args[0]}: --store ${spec} ${what}\n`;
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', message], args.join(' '));
  }
}

const NOT_REGULAR = (kind: string): string => `is ${kind}, not a regular file; give a file path for a SQLite store`;

test('--store naming a FIFO, directly or through a symbolic link: refused at once, exit 2', async (t) => {
  const fifo = join(dir, 'ff.db');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
  await assertRefused(fifo, NOT_REGULAR('a FIFO (named pipe)'));
  const link = join(dir, 'to-fifo.db');
  symlinkSync(fifo, link);
  await assertRefused(link, NOT_REGULAR('a FIFO (named pipe)'));
});

test('--store naming a socket or a character device: refused, exit 2', async () => {
  const socket = join(dir, 'sock.db');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    await assertRefused(socket, NOT_REGULAR('a socket'));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await assertRefused('/dev/null', NOT_REGULAR('a character device'));
});

test('--store ending in / that is no directory: refused, nothing created, an existing file unchanged', async () => {
  const slash = 'ends in / but is no directory; give a file path (without the /) for a SQLite store';
  const missing = join(dir, 'nosuch');
  await assertRefused(`${missing}/`, slash);
  assert.equal(existsSync(missing), false);
  const file = join(dir, 'file.db');
  const collected = await runChild(['collect', tiny, '--store', file, '--quiet']);
  assert.equal(collected.code, 0, collected.stderr);
  const before = sha256(file);
  await assertRefused(`${file}/`, slash);
  assert.equal(sha256(file), before);
});

test('--store through a symbolic link to a regular file still works, for writing and reading', async () => {
  const sub = join(dir, 'linked');
  const target = join(dir, 'target.db');
  writeFileSync(target, ''); // an empty file becomes a new store
  symlinkSync(target, sub);
  const collected = await runChild(['collect', tiny, '--store', sub, '--quiet']);
  assert.equal(collected.code, 0, collected.stderr);
  const runs = await runChild(['runs', '--store', sub]);
  assert.equal(runs.code, 0, runs.stderr);
  assert.equal(runs.stdout.split('\n')[0], `store ${sub}: 1 min intervals, 64.00 KiB tracks`);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('target')),
    ['target.db'],
  );
});

test('live --spool naming a FIFO is refused before connecting to the store, exit 2', async (t) => {
  const fifo = join(dir, 'spool-fifo.db');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
  // Port 1 on loopback: nothing listens there, and nothing is connected to before the refusal.
  const args = ['live', '--device', '/dev/null', '--store', 'postgres://u@127.0.0.1:1/db', '--spool', fifo];
  const r = await runChild(args, { stdin: '', timeoutMs: 20_000 });
  const message =
    `churnlink live: --spool ${fifo} is a FIFO (named pipe), not a regular file; ` +
    'give a file path for the SQLite spool\n';
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', message]);
});
