import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { blockDevice } from '../live/devices.js';
import { LiveCollector, type LiveSampling } from '../live/collector.js';
import { SAMPLE_CODEC } from '../live/compression-sampler.js';
import { LiveMetrics, parseHostPort, serveMetrics, type MetricsServer } from '../live/metrics.js';
import { ownerTag } from '../collect/owner.js';
import { storePathProblem } from '../store/store-path.js';
import { closeFailed, createsFile, removeCreated, isPostgresUrl, openStore } from '../store/open.js';
import { Outbox } from '../store/outbox.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes } from '../units/bytes.js';
import { parseDurationS } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { DEFAULT_TRACK_BYTES, parseTrackBytes } from '../units/track.js';
import { escapeTerminal } from '../render/escape.js';
import { formatCount } from '../render/table.js';
import { parseCommandArgs } from './args.js';
import { COLLECT_PARAM_FLAGS } from './collect.js';
import { inFlagTerms } from './planning-options.js';
import type { Io } from './io.js';

const LIVE_HELP = `usage: churnlink live --device DEV [--device DEV ...] [options]

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
  --metrics HOST:PORT serve Prometheus metrics at http://HOST:PORT/metrics (bound to HOST only;
                      port 0 picks a free port; the bound address is printed on stderr)
  --sample-compression
                      at each interval close, read a sample of the changed tracks back from the
                      device (read-only, rate-limited) and measure their compression with
                      deflate level 1, their share of all-zero tracks and of duplicates
  --sample-tracks N   tracks sampled per volume and interval (default 64)
  --sample-rate-mb R  sampling reads at most R MiB/s (default 4)
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
    metrics: { type: 'string' },
    'sample-compression': { type: 'boolean', default: false },
    'sample-tracks': { type: 'string' },
    'sample-rate-mb': { type: 'string' },
  });
  if (values.help) {
    io.out(LIVE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // Checked with the flags: SQLite would block forever opening a FIFO as the spool.
  const spoolProblem = values.spool === undefined ? null : storePathProblem(values.spool, 'the SQLite spool');
  if (spoolProblem !== null) throw new UsageError(`--spool ${values.spool} ${spoolProblem}`);
  if (!values.device || values.device.length === 0)
    throw new UsageError('give at least one --device (e.g. --device /dev/sdb)');
  if (process.getuid?.() !== 0)
    throw new UsageError('live collection needs root: tracefs and the block tracepoints are root-only (run with sudo)');
  const devices = values.device.map(blockDevice);
  const bufferKb = Number(values['buffer-kb']);
  if (!Number.isInteger(bufferKb) || bufferKb < 64)
    throw new UsageError(`--buffer-kb must be a whole number >= 64; got "${values['buffer-kb']}"`);
  const listen = values.metrics === undefined ? null : parseHostPort(values.metrics);
  if (values.metrics !== undefined && listen === null) {
    throw new UsageError(`--metrics must be HOST:PORT (e.g. 127.0.0.1:9464); got "${values.metrics}"`);
  }
  const sampling = samplingOf(values);
  // Live collection must keep draining the trace buffer: store writes give up quickly and the
  // intervals wait in the spool instead.
  const remote = isPostgresUrl(values.store!);
  const created = createsFile(values.store!);
  const store = await openStore(values.store!, { retryForS: remote ? 3 : 300 }).catch((err: unknown) => {
    if (created) removeCreated(values.store!);
    throw err;
  });
  let outbox: Outbox | undefined;
  let server: MetricsServer | null = null;
  let failed = true;
  try {
    if (remote) {
      const spool = values.spool ?? '/var/lib/churnlink/spool.db';
      mkdirSync(dirname(spool), { recursive: true });
      outbox = new Outbox(spool);
    }
    const stored = await store.getSettings();
    const intervalS =
      values.interval !== undefined ? parseDurationS(values.interval, '--interval') : (stored?.intervalS ?? 60);
    if (!Number.isInteger(intervalS) || intervalS < 1)
      throw new UsageError('--interval must be a whole number of seconds >= 1');
    const trackBytes =
      values.track !== undefined ? parseTrackBytes(values.track) : (stored?.trackBytes ?? DEFAULT_TRACK_BYTES);
    const metrics = listen ? new LiveMetrics(trackBytes) : null;
    if (metrics && listen) {
      server = await serveMetrics(metrics.registry, listen.host, listen.port).catch((err: Error) => {
        throw new UsageError(`--metrics ${values.metrics}: cannot listen: ${err.message}`, { cause: err });
      });
      io.err(`metrics: http://${server.address}/metrics\n`);
    }
    if (sampling) {
      sampling.onSample = (s) => {
        if (values.quiet || s.tracksSampled === 0) return;
        const ratio = s.rawBytes / s.compressedBytes;
        const share = (n: number): string => `${((100 * n) / s.tracksSampled).toFixed(1)} %`;
        const what = `${isoFromS(s.startS)} ${escapeTerminal(s.volume)}`;
        io.out(
          `${what}: compression ${ratio.toFixed(2)}:1 (${SAMPLE_CODEC}) ` +
            `over ${s.tracksSampled} sampled tracks, ${share(s.zeroTracks)} all-zero, ${share(s.dupTracks)} duplicate\n`,
        );
      };
      sampling.onError = (err) => io.err(`warning: compression sample dropped: ${escapeTerminal(err.message)}\n`);
    }
    const collector = new LiveCollector({
      devices,
      intervalS,
      trackBytes,
      store,
      host: values.host ?? hostname(),
      bufferKb,
      ...(outbox ? { outbox } : {}),
      ...(metrics ? { metrics } : {}),
      ...(sampling ? { sampling } : {}),
      onStoreError: (err, waiting) =>
        io.err(
          `warning: store unreachable (${escapeTerminal(err.message)}); ${waiting} interval batch${waiting === 1 ? '' : 'es'} wait in ${escapeTerminal(outbox?.path ?? '')}\n`,
        ),
      onInterval: (rows, lost) => {
        if (!values.quiet) {
          for (const r of rows) {
            io.out(
              `${isoFromS(r.startS)} ${escapeTerminal(r.volume)}: ${formatCount(r.writes)} writes, ${formatBytes(r.writeBytes)} written, ${formatCount(r.changedTracks)} changed tracks (${formatBytes(r.changedTracks * trackBytes)})${r.partial ? ', partial' : ''}\n`,
            );
          }
        }
        if (lost > 0)
          io.err(
            `warning: the trace buffer lost ${lost} events in this interval: its counts are low; raise --buffer-kb\n`,
          );
      },
    });
    // Signals are taken before the trace instance exists: a SIGTERM while it starts stops it cleanly.
    let stop: () => void = () => {};
    const signalled = new Promise<void>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // The store's refusal of other settings speaks of intervalS and trackBytes; say the flags.
    await inFlagTerms(COLLECT_PARAM_FLAGS, () => collector.start());
    const stopped = new Promise<void>((resolve) => {
      void signalled.then(resolve);
      if (values.duration !== undefined)
        setTimeout(resolve, parseDurationS(values.duration, '--duration') * 1000).unref();
      const watch = setInterval(() => collector.failure() && resolve(), 200);
      watch.unref();
    });
    await stopped;
    const failure = collector.failure();
    const summary = await collector.stop();
    if (failure) throw failure;
    io.err(
      `run ${summary.runId}: ${formatCount(summary.events)} write events in ${summary.intervals} intervals; ${formatCount(summary.lostEvents)} events lost by the trace buffer` +
        (summary.spooled > 0
          ? `; ${summary.spooled} interval batches wait in ${escapeTerminal(outbox!.path)} for the next run to send`
          : '') +
        '\n',
    );
    failed = false;
    return 0;
  } finally {
    await server?.close();
    outbox?.close();
    if (failed) await closeFailed(store, values.store!, created, ownerTag());
    else await store.close();
  }
}

/** The sampling flags, checked; null without --sample-compression. */
function samplingOf(values: {
  'sample-compression'?: boolean;
  'sample-tracks'?: string;
  'sample-rate-mb'?: string;
}): LiveSampling | null {
  if (!values['sample-compression']) {
    const stray =
      values['sample-tracks'] !== undefined
        ? '--sample-tracks'
        : values['sample-rate-mb'] !== undefined
          ? '--sample-rate-mb'
          : null;
    if (stray) throw new UsageError(`${stray} needs --sample-compression`);
    return null;
  }
  const tracksPerVolume = Number(values['sample-tracks'] ?? '64');
  if (!Number.isInteger(tracksPerVolume) || tracksPerVolume < 1 || tracksPerVolume > 65536) {
    throw new UsageError(`--sample-tracks must be a whole number from 1 to 65536; got "${values['sample-tracks']}"`);
  }
  const rateMiBPerS = Number(values['sample-rate-mb'] ?? '4');
  if (!Number.isFinite(rateMiBPerS) || rateMiBPerS <= 0 || rateMiBPerS > 1024) {
    const got = values['sample-rate-mb'];
    throw new UsageError(`--sample-rate-mb must be a number of MiB/s above 0 and at most 1024; got "${got}"`);
  }
  return { tracksPerVolume, rateBytesPerS: rateMiBPerS * 1024 * 1024 };
}
