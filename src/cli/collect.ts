import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { collectSources, type CollectSummary } from '../collect/run.js';
import { EMPTY_SCOPE, parseScope, type Scope } from '../scope/scope.js';
import { UsageError } from '../errors.js';
import { parseCsvMapping, type CsvMapping } from '../readers/csv-mapping.js';
import { openSource } from '../sources/file.js';
import { ownerTag } from '../collect/owner.js';
import { closeFailed, createsFile, removeCreated, openStore } from '../store/open.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration, parseDurationS } from '../units/duration.js';
import { isoFromS, parseTimeS } from '../units/time.js';
import { DEFAULT_TRACK_BYTES, parseTrackBytes } from '../units/track.js';
import { escapeTerminal } from '../render/escape.js';
import { formatCount } from '../render/table.js';
import { parseCommandArgs, parseThreads } from './args.js';
import { inFlagTerms } from './planning-options.js';
import { Progress } from './progress.js';
import type { Io } from './io.js';

/** The collect library's parameter names (and phrases) and the flags that set them. */
export const COLLECT_PARAM_FLAGS: Record<string, string> = {
  'replace: true': '--replace',
  'another store': 'another --store',
  intervalS: '--interval',
  trackBytes: '--track',
};

const COLLECT_HELP = `usage: churnlink collect FILE... [options]

Read block I/O traces (plain, .gz, or - for stdin) and store, per volume and interval, the set of
distinct tracks written (a roaring bitmap) with write/read counts and bytes.

options:
  --store PATH|URL     SQLite store file (default churn.db) or postgres://user@host/db
  --interval DUR       collection interval: 30s, 1m, 5m, 1h (default: the store's, else 1m)
  --track SIZE         track size: 64KiB, 3390, 3380, fba32 or bytes (default: the store's, else 64KiB)
  --format NAME        trace format (default: detected from content); see churnlink formats
  --scope FILE         YAML/JSON scope: monitored volumes, capacities, groups, data sets, csv mapping
  --columns MAP        csv: time=COL:s|ms|us|ns|epoch-s|epoch-ms|epoch-us|epoch-ns|filetime,offset=COL:B|sector,
                       length=COL:B|sector[,op=COL][,volume=COL]
  --write-ops LIST     csv: op values that are writes (default w,write,wr,1,2a,8a,aa,ws)
  --read-ops LIST      csv: op values that are reads (default r,read,rd,0,28,88,a8,rs)
  --delimiter CHAR     csv: field delimiter (default ,)
  --volume NAME        volume name for formats without one (default: the file's base name)
  --start TIME         start time for formats with relative timestamps (epoch s or ISO; default 0)
  --skip-bad           skip malformed records, count them and report the count
  --replace            replace an earlier run of the same input instead of refusing
  --threads N|auto     decoding threads for large plain files (default auto: start with one, add more
                       up to the number of cores while measured to pay)
  --quiet              no progress line
`;

/** `churnlink collect`: read traces into the store and print a summary. */
export async function runCollect(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('collect', argv, {
    store: { type: 'string', default: 'churn.db' },
    interval: { type: 'string' },
    track: { type: 'string' },
    format: { type: 'string' },
    scope: { type: 'string' },
    columns: { type: 'string' },
    'write-ops': { type: 'string' },
    'read-ops': { type: 'string' },
    delimiter: { type: 'string' },
    volume: { type: 'string' },
    start: { type: 'string' },
    'skip-bad': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    threads: { type: 'string' },
  });
  if (values.help) {
    io.out(COLLECT_HELP);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError('no input files (give FILE... or - for stdin; see churnlink collect --help)');
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');

  const { scope, scopeJson } = await loadScope(values.scope);
  const csv = csvMappingOf(values, scope);
  const format = values.format ?? (csv ? 'csv' : null);
  const sources = await Promise.all(positionals.map((p) => openSource(p)));
  const created = createsFile(values.store!);
  const store = await openStore(values.store!, {
    onRetry: (err, n) => io.err(`warning: store unreachable (${escapeTerminal(err.message)}); retry ${n}\n`),
  }).catch((err: unknown) => {
    if (created) removeCreated(values.store!);
    throw err;
  });
  let failed = true;
  try {
    const stored = await store.getSettings();
    const intervalS =
      values.interval !== undefined ? parseDurationS(values.interval, '--interval') : (stored?.intervalS ?? 60);
    if (!Number.isInteger(intervalS) || intervalS < 1)
      throw new UsageError(`--interval must be a whole number of seconds >= 1; got "${values.interval}"`);
    const trackBytes =
      values.track !== undefined ? parseTrackBytes(values.track) : (stored?.trackBytes ?? DEFAULT_TRACK_BYTES);
    const progress = new Progress(!values.quiet && io.stderrIsTty);
    const summary = await inFlagTerms(COLLECT_PARAM_FLAGS, () =>
      collectSources(sources, store, {
        intervalS,
        trackBytes,
        scope,
        scopeJson,
        ...(csv ? { csv } : {}),
        format,
        startUs: values.start === undefined ? 0 : Math.round(parseTimeS(values.start, '--start') * 1e6),
        skipBad: values['skip-bad']!,
        replace: values.replace!,
        volumeName: values.volume ?? null,
        host: hostname(),
        threads: parseThreads(values.threads),
        onProgress: (p) => progress.update(p),
      }),
    );
    progress.done();
    for (const w of summary.warnings)
      io.err(`warning: ${escapeTerminal(w.message)}${w.count > 1 ? ` (${w.count} times)` : ''}\n`);
    io.out(describeCollect(summary, store.location, intervalS));
    failed = false;
    return 0;
  } finally {
    if (failed) await closeFailed(store, values.store!, created, ownerTag());
    else await store.close();
  }
}

async function loadScope(path: string | undefined): Promise<{ scope: Scope; scopeJson: string | null }> {
  if (path === undefined) return { scope: EMPTY_SCOPE, scopeJson: null };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--scope: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const scope = parseScope(text, path);
  return { scope, scopeJson: JSON.stringify(scope) };
}

function csvMappingOf(
  values: { columns?: string; 'write-ops'?: string; 'read-ops'?: string; delimiter?: string },
  scope: Scope,
): CsvMapping | undefined {
  const fromScope = scope.csv ?? {};
  const columns = values.columns ?? fromScope.columns;
  if (columns === undefined) return undefined;
  const writeOps = values['write-ops'] ?? fromScope.writeOps;
  const readOps = values['read-ops'] ?? fromScope.readOps;
  const delimiter = values.delimiter ?? fromScope.delimiter;
  return parseCsvMapping({
    columns,
    ...(writeOps !== undefined ? { writeOps } : {}),
    ...(readOps !== undefined ? { readOps } : {}),
    ...(delimiter !== undefined ? { delimiter } : {}),
  });
}

/** The collect summary printed on stdout; names, paths and the skipped record escaped for the terminal. */
function describeCollect(s: CollectSummary, store: string, intervalS: number): string {
  const records = s.sources.reduce((n, x) => n + x.stats.records, 0);
  const skipped = s.sources.reduce((n, x) => n + x.stats.skipped, 0);
  const lines = [
    `run ${s.runId}: collected ${formatCount(records)} record${records === 1 ? '' : 's'} from ` +
      `${s.sources.map((x) => `${x.path} (${x.format})`).join(', ')} into ${store}`,
    `  writes ${formatCount(s.writes)} (${formatBytes(s.writeBytes)}), reads ${formatCount(s.reads)} (${formatBytes(s.readBytes)})`,
    `  ${formatCount(s.volumes.length)} volume${s.volumes.length === 1 ? '' : 's'}, ${formatCount(s.intervals)} interval${s.intervals === 1 ? '' : 's'} of ${formatDuration(intervalS)}` +
      (s.firstS !== null ? `, ${isoFromS(s.firstS)} to ${isoFromS(s.lastS! + intervalS)}` : ''),
  ];
  for (const counted of new Set(s.sources.map((x) => x.stats.counted))) {
    if (counted) lines.push(`  counted: ${counted}`);
  }
  if (s.outOfScope > 0) lines.push(`  ${formatCount(s.outOfScope)} records of volumes outside the scope ignored`);
  if (s.replaced.length > 0) lines.push(`  replaced run ${s.replaced.join(', ')} (same input)`);
  if (skipped > 0) {
    const first = s.sources.find((x) => x.stats.firstSkipped)?.stats.firstSkipped;
    lines.push(`  skipped ${formatCount(skipped)} bad record${skipped === 1 ? '' : 's'} (first: ${first})`);
  }
  return lines.map(escapeTerminal).join('\n') + '\n';
}
