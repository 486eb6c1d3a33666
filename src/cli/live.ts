import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { blockDevice } from '../live/devices.js';
import { LiveCollector } from '../live/collector.js';
import { ownerTag } from '../collect/owner.js';
import { closeFailed, createsFile, isPostgresUrl, openStore } from '../store/open.js';
import { Outbox } from '../store/outbox.js';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes } from '../units/bytes.js';
import { parseDurationS } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { DEFAULT_TRACK_BYTES, parseTrackBytes } from '../units/track.js';
import { formatCount } from '../render/table.js';
import { parseCommandArgs } from './args.js';
import type { Io } from './io.js';

export const LIVE_HELP = `usage: churnlink live --device DEV [--device DEV ...] [options]

Watch block devices on this host through the kernel's block tracepoints (tracefs, in a private
trace instance filtered in the kernel to writes on these devices) and commit each interval to the
store as it closes. Stops on SIGINT or SIGTERM (the interval in progress is committed, marked
partial) or after --duration. Needs root.

options:
  --device DEV        a block device to watch, e.g. /dev/sdb (repeatable)
  --store PATH|URL    SQLite store file (default churn.db) or postgres://user@host/db (central)
  --interval DUR      collection interval (default: the store's, else 1m)
  --track SIZE        track size: 64KiB, 3390, 3380, fba32 or bytes (default: the store's, else 64KiB)
  --host NAME         host part of the volume names HOST/DEVICE (default: this host's name)
  --buffer-kb N       trace ring buffer per CPU in KiB (default 32768); raise it if events are lost
  --spool PATH        with a postgres:// store: local SQLite spool that keeps closed intervals until
                      the store has them (default /var/lib/churnlink/spool.db)
  --duration DUR      stop after this long
  --quiet             no line per interval
`;

/** `churnlink live`. */
export async function runLive(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('live', argv, {
    device: { type: 'string', multiple: true },
    store: { type: 'string', default: 'churn.db' },
    interval: { type: 'string' },
    track: { type: 'string' },
    host: { type: 'string' },
    'buffer-kb': { type: 'string', default: '32768' },
    duration: { type: 'string' },
    spool: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.out(LIVE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`live: unexpected argument "${positionals[0]}"`);
  if (!values.device || values.device.length === 0) throw new UsageError('live: give at least one --device (e.g. --device /dev/sdb)');
  if (process.getuid?.() !== 0) throw new UsageError('live collection needs root: tracefs and the block tracepoints are root-only (run with sudo)');
  const devices = values.device.map(blockDevice);
  const bufferKb = Number(values['buffer-kb']);
  if (!Number.isInteger(bufferKb) || bufferKb < 64) throw new UsageError(`--buffer-kb must be a whole number >= 64; got "${values['buffer-kb']}"`);
  // Live collection must keep draining the trace buffer: store writes give up quickly and the
  // intervals wait in the spool instead.
  const remote = isPostgresUrl(values.store!);
  const created = createsFile(values.store!);
  const store = await openStore(values.store!, { retryForS: remote ? 3 : 300 }).catch((err: unknown) => {
    if (created) rmSync(values.store!, { force: true });
    throw err;
  });
  let outbox: Outbox | undefined;
  let failed = true;
  try {
    if (remote) {
      const spool = values.spool ?? '/var/lib/churnlink/spool.db';
      mkdirSync(dirname(spool), { recursive: true });
      outbox = new Outbox(spool);
    }
    const stored = await store.getSettings();
    const intervalS = values.interval !== undefined ? parseDurationS(values.interval, '--interval') : stored?.intervalS ?? 60;
    if (!Number.isInteger(intervalS) || intervalS < 1) throw new UsageError('--interval must be a whole number of seconds >= 1');
    const trackBytes = values.track !== undefined ? parseTrackBytes(values.track) : stored?.trackBytes ?? DEFAULT_TRACK_BYTES;
    const collector = new LiveCollector({
      devices, intervalS, trackBytes, store, host: values.host ?? hostname(), bufferKb,
      ...(outbox ? { outbox } : {}),
      onStoreError: (err, waiting) => io.err(`warning: store unreachable (${err.message}); ${waiting} interval batch${waiting === 1 ? '' : 'es'} wait in ${outbox?.path}\n`),
      onInterval: (rows, lost) => {
        if (!values.quiet) {
          for (const r of rows) {
            io.out(`${isoFromS(r.startS)} ${r.volume}: ${formatCount(r.writes)} writes, ${formatBytes(r.writeBytes)} written, ${formatCount(r.changedTracks)} changed tracks (${formatBytes(r.changedTracks * trackBytes)})${r.partial ? ', partial' : ''}\n`);
          }
        }
        if (lost > 0) io.err(`warning: the trace buffer lost ${lost} events in this interval: its counts are low; raise --buffer-kb\n`);
      },
    });
    await collector.start();
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      if (values.duration !== undefined) setTimeout(resolve, parseDurationS(values.duration, '--duration') * 1000).unref();
      const watch = setInterval(() => collector.failure() && resolve(), 200);
      watch.unref();
    });
    await stopped;
    const failure = collector.failure();
    const summary = await collector.stop();
    if (failure) throw failure;
    io.err(`run ${summary.runId}: ${formatCount(summary.events)} write events in ${summary.intervals} intervals; ${formatCount(summary.lostEvents)} events lost by the trace buffer` +
      (summary.spooled > 0 ? `; ${summary.spooled} interval batches wait in ${outbox!.path} for the next run to send` : '') + '\n');
    failed = false;
    return 0;
  } finally {
    outbox?.close();
    if (failed) await closeFailed(store, values.store!, created, ownerTag());
    else await store.close();
  }
}
