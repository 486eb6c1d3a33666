import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { readers } from '../readers/index.js';
import { escapeTerminal } from '../render/escape.js';
import { renderTable } from '../render/table.js';
import { runCollect } from './collect.js';
import { processIo, watchStdout, type Io } from './io.js';
import { scrubSecrets } from '../store/location.js';
import { runReport } from './report.js';
import { runRuns } from './runs.js';
import { runSimulate } from './simulate.js';
import { runPlan } from './plan.js';
import { runCycles } from './cycles.js';
import { runMigrate } from './migrate.js';

const HELP = `churnlink: measure write churn on block storage and size replication links

usage: churnlink COMMAND [options]      (churnlink COMMAND --help for its options)

commands:
  collect FILE...   read traces; store distinct changed tracks per volume and interval
  report            changed tracks per volume, group or data set; link bandwidth, paths, resync time;
                    --models compares synchronous, asynchronous and periodic replication;
                    --format html writes a report with charts
  simulate          RPO over time for a link, with cycles, elongation and outages
  plan              the smallest link (and number of paths) meeting an RPO target
  cycles            bytes to ship per cycle, and the bandwidth, by cycle length
  live              watch block devices on this host (tracefs) and collect continuously
  runs              list what a store holds
  migrate           convert a store written by churnlink 0.1.0 to this version's layout
  formats           list the trace formats it reads

--debug (or CHURNLINK_DEBUG=1) on any command: errors with their stack.
`;

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  collect: runCollect,
  report: runReport,
  runs: runRuns,
  simulate: runSimulate,
  plan: runPlan,
  cycles: runCycles,
  // Loaded only when run: its Prometheus client costs every other command ~0.1 s of start-up.
  live: async (argv, io) => (await import('./live.js')).runLive(argv, io),
  migrate: runMigrate,
  async formats(_argv, io) {
    io.out(
      renderTable(Object.values(readers), [
        { header: 'format', align: 'left', value: (r) => r.name },
        { header: 'fields and units', align: 'left', value: (r) => r.description },
      ]),
    );
    return 0;
  },
};

/**
 * Run the CLI; returns the exit code: 0 done, 2 bad input or usage (the message names the file,
 * line and field), 1 anything else, 130 interrupted.
 */
export async function main(args: string[], rawIo: Io = processIo): Promise<number> {
  // --debug (anywhere) or CHURNLINK_DEBUG=1: errors with their stack and causes.
  const debug = args.includes('--debug') || process.env.CHURNLINK_DEBUG === '1';
  const argv = args.filter((a) => a !== '--debug');
  const io = scrubbed(rawIo, argv);
  const [command, ...rest] = argv;
  // stdout closed by its reader (`| head`): a quiet exit with the command's status (0 when it has
  // not ended yet); live keeps collecting and drops its stdout lines.
  if (rawIo === processIo) {
    watchStdout(() => {
      if (command !== 'live') process.exit(Number(process.exitCode ?? 0));
    });
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V') {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    io.out(`churnlink ${pkg.version}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.err(`churnlink: unknown command "${escapeTerminal(command)}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  // Interrupted: say so and what became of the work (a live collector handles its own signals).
  const interrupted = (signal: NodeJS.Signals): void => {
    const what =
      command === 'collect'
        ? '; the unfinished run stays invisible to reports and is replaced by the next collection of the same input'
        : '';
    io.err(`churnlink ${command}: interrupted (${signal})${what}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const handleSigint = rawIo === processIo && command !== 'live';
  if (handleSigint) {
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
  }
  try {
    return await run(rest, io);
  } catch (err) {
    const e = explained(err);
    const more = debug ? `\n${stackOf(err)}` : e.code === 1 ? ' (run with --debug for details)' : '';
    io.err(`churnlink ${command}: ${escapeTerminal(e.message)}${more}\n`);
    return e.code;
  } finally {
    if (handleSigint) {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    }
  }
}

/** The stack of an error and of its causes, for --debug. */
function stackOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && parts.length < 5; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  return parts.join('\ncaused by: ');
}

/**
 * One line for an error and its exit code: 2 for bad input or usage, 1 for the environment
 * (disk full, out of memory) and bugs, with what happened and what to do where that is known.
 */
function explained(err: unknown): { message: string; code: number } {
  if (err instanceof InputError || err instanceof UsageError) return { message: err.message, code: 2 };
  const e = err as { code?: string; message?: string };
  const message = firstLine(e.message ?? String(err));
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === '53100') {
    return {
      message: `no space left on the device holding the store (${message}); free some space or use a --store on another file system`,
      code: 1,
    };
  }
  // Damage past the schema is met only while reading chunks (at opening it is named with the store).
  if (e.code?.startsWith('SQLITE_CORRUPT') === true) {
    return { message: `the store is damaged (${message}); restore it from a copy`, code: 1 };
  }
  if (e.code === 'ENOMEM' || e.code === 'SQLITE_NOMEM' || e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { message: `out of memory (${message}); close other programs or give smaller settings`, code: 1 };
  }
  return { message, code: 1 };
}

/**
 * A message without the stack text and "Error: " prefixes a re-thrown stack text carries. A line
 * feed elsewhere is kept (and escaped): it belongs to a name, `ENOENT: ... open 'a\nb.csv'`.
 */
function firstLine(message: string): string {
  const stackAt = message.search(/\n\s+at /);
  return (stackAt < 0 ? message : message.slice(0, stackAt)).replace(/^(\w*Error: )+/, '');
}

/**
 * Output with the credentials of every PostgreSQL URL on the command line removed: stores show
 * redacted locations, but a driver error may echo the URL or its password.
 */
function scrubbed(io: Io, argv: string[]): Io {
  const urls = argv.flatMap((a) => {
    const at = a.search(/postgres(ql)?:\/\//i);
    return at < 0 ? [] : [a.slice(at)];
  });
  if (urls.length === 0) return io;
  // Secrets shorter than 4 characters are not looked for in results: they would mangle figures.
  const clean = (text: string, minSecretChars: number): string =>
    urls.reduce((t, url) => scrubSecrets(t, url, minSecretChars), text);
  return { ...io, out: (text) => io.out(clean(text, 4)), err: (text) => io.err(clean(text, 1)) };
}
