import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { IntervalRow } from '../store/store.js';

/** How often the process metrics sample the event loop's lag (ms). */
export const EVENT_LOOP_SAMPLE_MS = 1000;

/**
 * The live collector's Prometheus metrics (prom-client's text exposition format), all named
 * `churnlink_…`. Counters move when an interval is committed (or spooled), so a scrape agrees
 * exactly with what the store holds; gauges describe the last closed interval.
 */
export class LiveMetrics {
  readonly registry = new Registry();
  readonly #writes: Counter<'volume'>;
  readonly #writeBytes: Counter<'volume'>;
  readonly #changedTracks: Counter<'volume'>;
  readonly #changedBytes: Counter<'volume'>;
  readonly #intervalTracks: Gauge<'volume'>;
  readonly #ratio: Gauge<'volume'>;
  readonly #zeroShare: Gauge<'volume'>;
  readonly #lost: Counter;
  readonly #intervals: Counter;
  readonly #spooled: Gauge;
  readonly #sampledBytes: Counter;
  readonly #trackBytes: number;

  constructor(trackBytes: number, options: { processMetrics?: boolean } = {}) {
    this.#trackBytes = trackBytes;
    const registers = [this.registry];
    const perVolume = { labelNames: ['volume'] as const, registers };
    const counter = (name: string, help: string): Counter<'volume'> => new Counter({ name, help, ...perVolume });
    const gauge = (name: string, help: string): Gauge<'volume'> => new Gauge({ name, help, ...perVolume });
    this.#writes = counter('churnlink_write_events_total', 'Write events (bios) in committed intervals, per volume');
    this.#writeBytes = counter('churnlink_written_bytes_total', 'Bytes written in committed intervals, per volume');
    this.#changedTracks = counter(
      'churnlink_changed_tracks_total',
      'Sum over committed intervals of the distinct tracks changed in each, per volume',
    );
    this.#changedBytes = counter(
      'churnlink_changed_bytes_total',
      'churnlink_changed_tracks_total times the track size in bytes, per volume',
    );
    this.#intervalTracks = gauge(
      'churnlink_interval_changed_tracks',
      'Distinct tracks changed in the last closed interval, per volume',
    );
    this.#ratio = gauge(
      'churnlink_compression_ratio',
      'Measured compression (raw / deflate level 1 bytes) of the last sampled interval, per volume',
    );
    this.#zeroShare = gauge(
      'churnlink_compression_zero_share',
      "Share of all-zero tracks among the last sampled interval's tracks, per volume",
    );
    this.#lost = new Counter({
      name: 'churnlink_lost_events_total',
      help: 'Events the kernel trace buffer lost (overruns and drops)',
      registers,
    });
    this.#intervals = new Counter({
      name: 'churnlink_intervals_total',
      help: 'Intervals closed (one per interval start, all volumes)',
      registers,
    });
    this.#spooled = new Gauge({
      name: 'churnlink_spool_intervals',
      help: 'Closed intervals waiting in the local spool for the store',
      registers,
    });
    this.#sampledBytes = new Counter({
      name: 'churnlink_sample_read_bytes_total',
      help: 'Bytes the compression sampler read from the devices',
      registers,
    });
    // The event-loop lag is sampled once a second: prom-client's default, every 10 ms, woke the
    // otherwise idle collector 100 times a second and cost ~0.5 % of a core by itself.
    if (options.processMetrics !== false) {
      const eventLoopMonitoringPrecision = EVENT_LOOP_SAMPLE_MS;
      collectDefaultMetrics({ register: this.registry, prefix: 'churnlink_', eventLoopMonitoringPrecision });
    }
  }

  /** One closed interval's rows (all volumes of one interval start) and the events lost meanwhile. */
  interval(rows: IntervalRow[], lostEvents: number): void {
    for (const r of rows) {
      const v = { volume: r.volume };
      this.#writes.inc(v, r.writes);
      this.#writeBytes.inc(v, r.writeBytes);
      this.#changedTracks.inc(v, r.changedTracks);
      this.#changedBytes.inc(v, r.changedTracks * this.#trackBytes);
      this.#intervalTracks.set(v, r.changedTracks);
    }
    this.#intervals.inc();
    if (lostEvents > 0) this.#lost.inc(lostEvents);
  }

  /** Intervals waiting in the spool now. */
  spooled(intervals: number): void {
    this.#spooled.set(intervals);
  }

  /** A measured sample of one volume's interval. */
  compression(volume: string, ratio: number, zeroShare: number): void {
    this.#ratio.set({ volume }, ratio);
    this.#zeroShare.set({ volume }, zeroShare);
  }

  sampleRead(bytes: number): void {
    this.#sampledBytes.inc(bytes);
  }
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** The bound address as `host:port` (the real port when 0 was asked). */
  readonly address: string;
  close(): Promise<void>;
}

/** Parse `HOST:PORT` (`[v6]:PORT` for IPv6); null when it is not of that form. */
export function parseHostPort(spec: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(spec);
  if (!m) return null;
  const port = Number(m[3]);
  return port > 65535 ? null : { host: (m[1] ?? m[2])!, port };
}

/**
 * Serve `registry` at `http://HOST:PORT/metrics`, bound only to `host` (404 for other paths,
 * 405 for methods other than GET and HEAD).
 */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text);
      },
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    address: a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
