import { UsageError } from '../errors.js';
import { openStore } from '../store/open.js';
import { escapeTerminal } from '../render/escape.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';

const MIGRATE_HELP = `usage: churnlink migrate [--store PATH|URL]

Convert a store written by churnlink 0.1.0 (one row per interval) to this version's layout
(chunks of 60 intervals with their rollups), in one transaction, keeping every interval. Any
command that opens a store for writing does the same; this one does only that.

options:
  --store PATH|URL      SQLite store file (default churn.db) or postgres:// URL
`;

/** `churnlink migrate`: open the store for writing, which upgrades an older layout. */
export async function runMigrate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('migrate', argv, { store: { type: 'string', default: 'churn.db' } });
  if (values.help) {
    io.out(MIGRATE_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" (see churnlink migrate --help)`);
  }
  const store = await openStore(values.store!, { mustExist: true, readonly: false, command: 'migrate' });
  try {
    const runs = (await store.listRuns()).length;
    const from = store.upgradedFrom ?? null;
    const what = from === null ? 'up to date' : `converted from schema ${from} to this version's layout`;
    io.out(`store ${escapeTerminal(store.location)}: ${what} (${runs} run${runs === 1 ? '' : 's'})\n`);
  } finally {
    await store.close();
  }
  return 0;
}
