import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { openStore } from '../store/open.js';
import { escapeTerminal } from '../render/escape.js';
import { formatCount, renderTable } from '../render/table.js';
import { UsageError, checkEnum } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';

const FORMATS = ['table', 'json'] as const;

export const RUNS_HELP = `usage: churnlink runs [--store PATH] [--format table|json]

List the collection runs in a store: id, status, when, the time range its intervals cover (UTC,
from the first interval's start to the last one's end), records, skipped records and sources.
--format json (or --json) gives the range as fromS/toS (seconds since 1970-01-01 UTC, toS
exclusive; null without intervals).
`;

/** `churnlink runs`: what a store holds. */
export async function runRuns(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('runs', argv, {
    store: { type: 'string', default: 'churn.db' },
    format: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.out(RUNS_HELP);
    return 0;
  }
  const format =
    values.format === undefined ? (values.json ? 'json' : 'table') : checkEnum('--format', values.format, FORMATS);
  if (values.json && format !== 'json') throw new UsageError(`--json contradicts --format ${format}`);
  const store = await openStore(values.store!, { mustExist: true, command: 'runs' });
  try {
    const settings = await store.getSettings();
    const spans = new Map((await store.runSpans()).map((s) => [s.runId, s]));
    const intervalS = settings?.intervalS ?? 0;
    // The intervals a run covers: from its first interval's start to its last one's end.
    const runs = (await store.listRuns()).map((r) => {
      const span = spans.get(r.id);
      return { ...r, fromS: span?.firstS ?? null, toS: span === undefined ? null : span.lastS + intervalS };
    });
    if (format === 'json') {
      io.out(`${JSON.stringify({ settings, runs }, null, 2)}\n`);
      return 0;
    }
    const location = escapeTerminal(store.location);
    io.out(
      settings
        ? `store ${location}: ${formatDuration(settings.intervalS)} intervals, ${formatBytes(settings.trackBytes)} tracks\n\n`
        : `store ${location}: empty\n`,
    );
    if (runs.length > 0) {
      io.out(
        renderTable(runs, [
          { header: 'run', value: (r) => String(r.id) },
          { header: 'status', align: 'left', value: (r) => r.status },
          { header: 'started (UTC)', align: 'left', value: (r) => r.startedAt.replace(/\.\d+Z$/, 'Z') },
          { header: 'intervals from (UTC)', align: 'left', value: (r) => (r.fromS === null ? '-' : isoFromS(r.fromS)) },
          { header: 'to (UTC)', align: 'left', value: (r) => (r.toS === null ? '-' : isoFromS(r.toS)) },
          // Counted when a run finishes: a live run (or one killed while live) has no count yet.
          { header: 'records', value: (r) => (r.status === 'complete' ? formatCount(r.records) : '-') },
          { header: 'skipped', value: (r) => (r.status === 'complete' ? formatCount(r.skipped) : '-') },
          {
            header: 'sources',
            align: 'left',
            value: (r) => r.sources.map((s) => `${s.path} (${s.format})`).join(', '),
          },
        ]),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
