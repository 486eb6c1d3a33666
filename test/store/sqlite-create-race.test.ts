import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UsageError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { ROOT, tempDir } from '../helpers.js';
import { cleanUp, exitOf, trackChild } from '../support/cleanup.js';

const dir = tempDir();
after(cleanUp);

const MODULE = pathToFileURL(join(ROOT, 'dist', 'src', 'store', 'sqlite.js')).href;

/** A child that loads the store code, says `ready`, and opens the store when told `go`. */
const OPENER = `
const { SqliteStore } = await import(${JSON.stringify(MODULE)});
const [path, mode] = process.argv.slice(-2);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  try {
    new SqliteStore(path, { readonly: mode === 'read' });
    process.stdout.write('opened\\n');
  } catch (err) {
    process.stdout.write('refused: ' + err.message + '\\n');
  }
  process.exit(0);
});
`;

function opener(path: string, mode: 'write' | 'read'): { child: ChildProcessWithoutNullStreams; out: () => string } {
  const child = trackChild(spawn(process.execPath, ['--input-type=module', '-e', OPENER, path, mode]));
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { child, out: () => text };
}

function ready(o: ReturnType<typeof opener>): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (o.out().startsWith('ready\n')) resolve();
    };
    o.child.stdout.on('data', check);
    o.child.once('exit', (code) => reject(new Error(`opener exited (${code}) before it was ready`)));
    check();
  });
}

test('four commands creating the same new SQLite store at once all open it; a reader never sees half a store', async () => {
  // Before the schema was created in one transaction (and the switch to WAL retried), about four
  // rounds in ten had a writer refuse the store as "not a churnlink store" or "database is locked".
  for (let round = 0; round < 12; round++) {
    const path = join(dir, `new-${round}.db`);
    const openers = [...Array.from({ length: 4 }, () => opener(path, 'write' as const)), opener(path, 'read' as const)];
    await Promise.all(openers.map(ready));
    for (const o of openers) o.child.stdin.write('go\n');
    const codes = await Promise.all(openers.map((o, k) => exitOf(o.child, `opener ${k}`, 60_000)));
    assert.deepEqual(codes, [0, 0, 0, 0, 0]);
    const said = openers.map((o) => o.out().split('\n')[1]);
    assert.deepEqual(said.slice(0, 4), ['opened', 'opened', 'opened', 'opened'], `round ${round}: ${said.join(' | ')}`);
    // The reader came before the file existed, before the store was made, or after it was whole.
    const reader = [
      'opened',
      `refused: store ${path} holds no collection yet (run churnlink collect first)`,
      `refused: store: cannot open SQLite file ${path}: unable to open database file`,
    ];
    assert.ok(reader.includes(said[4]!), `round ${round}: reader: ${said[4]}`);
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '7');
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('page_size', { simple: true }), 16384);
    } finally {
      db.close();
    }
  }
});

test('a store deleted while a command has it open (a failed first collection removing its file) says so', async () => {
  const path = join(dir, 'deleted.db');
  const first = new SqliteStore(path);
  await first.close(); // a complete, empty store in rollback-journal mode
  const store = new SqliteStore(path); // opened: nothing written yet
  rmSync(path);
  await assert.rejects(
    store.useSettings({ intervalS: 60, trackBytes: 65536 }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        `store: ${path} was deleted while this command opened it (by another command's failed first collection); ` +
          'run this command again',
  );
  await store.close().catch(() => {});
});
