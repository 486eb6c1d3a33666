import { IntervalWriter } from '../collect/interval-writer.js';
import { Tracker } from '../collect/tracker.js';
import { IoBatch } from '../readers/batch.js';
import { VolumeTable } from '../readers/volumes.js';
import type { CompressionSampleRow, IntervalRow, Store } from '../store/store.js';
import { CompressionSampler } from './compression-sampler.js';
import type { LiveMetrics } from './metrics.js';
import { bioLayoutOf, decodeRingPage, type BioLayout } from './ring-page.js';
import type { BlockDevice } from './devices.js';
import type { Outbox } from '../store/outbox.js';
import { TraceInstance, instanceName, removeStaleInstances, tracefsRoot } from './tracefs.js';

export interface LiveOptions {
  devices: BlockDevice[];
  intervalS: number;
  trackBytes: number;
  store: Store;
  /** Host name: volumes are named HOST/DEVICE so many hosts can share one store. */
  host: string;
  /** Trace ring buffer per CPU (KiB). */
  bufferKb?: number;
  /** How often the trace pipe is drained (ms). */
  pollMs?: number;
  /** How long after an interval ends its late events are still awaited (s). */
  graceS?: number;
  /** Each closed interval, after it is committed; `lost` counts events the buffer dropped in it. */
  onInterval?: (rows: IntervalRow[], lost: number) => void;
  /**
   * A local spool for a remote store: closed intervals are committed here first and removed once
   * the store has them, so a lost connection or a crash loses none.
   */
  outbox?: Outbox;
  /** The store could not be written; the intervals wait in the spool. */
  onStoreError?: (err: Error, waiting: number) => void;
  /** Prometheus metrics to keep up to date. */
  metrics?: LiveMetrics;
  /** Measure the compressibility of each closed interval's changed tracks (opt-in). */
  sampling?: LiveSampling;
}

/** Compression sampling of a live collection (see compression-sampler.ts). */
export interface LiveSampling {
  tracksPerVolume: number;
  rateBytesPerS: number;
  seed?: number;
  /** Each measured (volume, interval), once it is stored. */
  onSample?: (sample: CompressionSampleRow) => void;
  /** Each device read of the sampler, with its bytes. */
  onRead?: (bytes: number) => void;
  /** A sample could not be taken or stored (it is dropped; the collection goes on). */
  onError?: (err: Error) => void;
}

type Optional = 'onInterval' | 'outbox' | 'onStoreError' | 'metrics' | 'sampling';

/** What a live collection did, for the final summary. */
export interface LiveSummary {
  runId: number;
  events: number;
  intervals: number;
  lostEvents: number;
  /** Intervals still waiting in the spool for the store. */
  spooled: number;
}

/**
 * Watch block devices through the kernel's block_bio_queue tracepoint in a private tracefs
 * instance: every write bio is counted once, its sectors mapped to tracks; the wall clock closes
 * intervals, and each closed interval is committed to the store in its own transaction as the
 * run goes (a live run's intervals are visible to reports at once). `stop()` commits the interval
 * in progress marked partial and removes the instance.
 */
export class LiveCollector {
  readonly #o: Required<Omit<LiveOptions, Optional>> & Pick<LiveOptions, Optional>;
  #sampler: CompressionSampler | null = null;
  #instance: TraceInstance | null = null;
  #timer: NodeJS.Timeout | null = null;
  #busy: Promise<void> = Promise.resolve();
  #runId = 0;
  #writer: IntervalWriter | null = null;
  #batch: IoBatch | null = null;
  #tracker: Tracker | null = null;
  #volumes = new VolumeTable();
  /** Kernel dev_t → volume id. */
  #volumeOfDev = new Map<number, number>();
  #layout: BioLayout | null = null;
  #offsetUs = 0;
  #events = 0;
  #lostSeen = 0;
  #lostTotal = 0;
  #intervals = new Set<number>();
  #failure: Error | null = null;
  #seq = 1;
  #nextDeliveryMs = 0;
  #page = new Uint8Array(4096);

  constructor(options: LiveOptions) {
    this.#o = { bufferKb: 32768, pollMs: 100, graceS: 2, ...options };
  }

  /**
   * Set up the trace instance, then begin the live run (recording the store's settings on first
   * use): a collector that cannot start leaves the store as it was.
   */
  async start(): Promise<void> {
    const o = this.#o;
    for (const d of o.devices) this.#volumeOfDev.set(d.kernelDev, this.#volumes.idOf(`${o.host}/${d.name}`));
    this.#tracker = new Tracker({ intervalS: o.intervalS, trackBytes: o.trackBytes, lateIntervals: 1 });
    const tracker = this.#tracker;
    this.#batch = new IoBatch((b) => tracker.add(b));
    const root = tracefsRoot();
    removeStaleInstances(root);
    const instance = new TraceInstance(root, instanceName(), o.devices, o.bufferKb);
    try {
      this.#layout = bioLayoutOf(instance.formatText());
      this.#page = new Uint8Array(instance.pageBytes);
      const startedMs = Date.now();
      const sources = o.devices.map((d) => ({
        path: d.path,
        fingerprint: `live:${o.host}:${d.path}:${startedMs}`,
        bytes: 0,
        format: 'tracefs',
      }));
      const settings = { intervalS: o.intervalS, trackBytes: o.trackBytes };
      this.#runId = await o.store.beginRun(o.host, sources, true, { settings });
    } catch (err) {
      instance.close();
      throw err;
    }
    this.#instance = instance;
    this.#writer = new IntervalWriter(o.store, this.#runId, true);
    if (o.outbox) {
      this.#seq = o.outbox.nextSeq(this.#runId);
      await this.#deliver(); // what an earlier, interrupted collector left behind
    }
    if (o.sampling) this.#sampler = this.#samplerOf(o.sampling);
    // trace_clock "mono" is CLOCK_MONOTONIC, the clock of process.hrtime: one offset makes epoch µs.
    this.#offsetUs = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
    this.#timer = setInterval(() => {
      this.#busy = this.#busy
        .then(() => this.#poll(false))
        .catch((err) => {
          this.#failure ??= err as Error;
        });
    }, o.pollMs);
  }

  /** The first error the background loop met, if any (the CLI stops on it). */
  failure(): Error | null {
    return this.#failure;
  }

  async stop(): Promise<LiveSummary> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#busy;
    await this.#poll(true);
    this.#instance?.close();
    this.#instance = null;
    await this.#sampler?.idle();
    const o = this.#o;
    this.#nextDeliveryMs = 0;
    const waiting = o.outbox ? await this.#deliver() : 0;
    // With intervals still spooled the run stays live: the next collector delivers them.
    if (waiting === 0) {
      await o.store.finishRun(
        this.#runId,
        { records: this.#events, skipped: 0 },
        [],
        o.devices.map((d) => ({ path: d.path, fingerprint: `live:${o.host}:${d.path}`, bytes: 0, format: 'tracefs' })),
      );
    }
    return {
      runId: this.#runId,
      events: this.#events,
      intervals: this.#intervals.size,
      lostEvents: this.#lostTotal,
      spooled: waiting,
    };
  }

  #samplerOf(sampling: LiveSampling): CompressionSampler {
    const o = this.#o;
    return new CompressionSampler({
      trackBytes: o.trackBytes,
      tracksPerVolume: sampling.tracksPerVolume,
      rateBytesPerS: sampling.rateBytesPerS,
      seed: sampling.seed ?? 0,
      devicePathOf: new Map(o.devices.map((d) => [`${o.host}/${d.name}`, d.path])),
      // A separate transaction right after the interval's own: the reads take seconds.
      onSample: async (sample) => {
        await o.store.writeCompressionSamples([sample]);
        if (sample.compressedBytes > 0) {
          const ratio = sample.rawBytes / sample.compressedBytes;
          o.metrics?.compression(sample.volume, ratio, sample.zeroTracks / sample.tracksSampled);
        }
        sampling.onSample?.(sample);
      },
      onRead: (bytes) => {
        o.metrics?.sampleRead(bytes);
        sampling.onRead?.(bytes);
      },
      ...(sampling.onError ? { onError: sampling.onError } : {}),
    });
  }

  /** Send spooled batches, oldest first; returns how many still wait. Throttled after a failure. */
  async #deliver(): Promise<number> {
    const outbox = this.#o.outbox!;
    const pending = outbox.pending();
    if (Date.now() < this.#nextDeliveryMs) return pending.length;
    for (let i = 0; i < pending.length; i++) {
      const b = pending[i]!;
      try {
        await this.#o.store.writeIntervals(b.runId, b.rows, b.seq);
      } catch (err) {
        this.#nextDeliveryMs = Date.now() + 5000;
        this.#o.onStoreError?.(err as Error, pending.length - i);
        return pending.length - i;
      }
      outbox.remove(b.runId, b.seq);
    }
    return 0;
  }

  /** Drain the trace pipe, close the intervals the clock has passed, commit them. */
  async #poll(final: boolean): Promise<void> {
    const instance = this.#instance;
    if (instance === null) return;
    const batch = this.#batch!;
    const volumeOfDev = this.#volumeOfDev;
    const offsetUs = this.#offsetUs;
    const sink = {
      bio: (timeNs: number, dev: number, sector: number, sectors: number): void => {
        const volume = volumeOfDev.get(dev);
        if (volume !== undefined)
          batch.push(volume, Math.floor(timeNs / 1000) + offsetUs, sector * 512, sectors * 512, true);
      },
    };
    for (let cpu = 0; cpu < instance.cpus; cpu++) {
      for (let n = instance.readPage(cpu, this.#page); n > 0; n = instance.readPage(cpu, this.#page))
        this.#events += decodeRingPage(this.#page, n, this.#layout!, sink);
    }
    batch.flush();
    const nowUs = Date.now() * 1000;
    if (final) {
      this.#tracker!.finish();
    } else {
      this.#tracker!.closeEndedBy(nowUs - this.#o.graceS * 1e6);
    }
    const closed = this.#tracker!.drainClosed();
    if (closed.length === 0) return;
    const lost = instance.lostEvents();
    const newlyLost = lost - this.#lostSeen;
    this.#lostSeen = lost;
    this.#lostTotal += newlyLost;
    const I = this.#o.intervalS;
    const byStart = new Map<number, IntervalRow[]>();
    for (const r of closed) {
      const row: IntervalRow = { ...r, volume: this.#volumes.names[r.volume]! };
      if (final && (r.startS + I) * 1e6 > nowUs) row.partial = true;
      byStart.set(r.startS, [...(byStart.get(r.startS) ?? []), row]);
    }
    let lostToCount = newlyLost;
    for (const [startS, rows] of byStart) {
      if (this.#o.outbox) {
        this.#o.outbox.add({ runId: this.#runId, seq: this.#seq++, rows });
        const waiting = await this.#deliver(); // not inside `metrics?.…(…)`: that would skip it without metrics
        this.#o.metrics?.spooled(waiting);
      } else {
        await this.#writer!.add(rows); // one transaction per interval
      }
      this.#intervals.add(startS);
      this.#o.metrics?.interval(rows, lostToCount);
      lostToCount = 0;
      this.#sampler?.enqueue(this.#runId, rows); // after the commit; reads run in the background
      this.#o.onInterval?.(rows, newlyLost);
    }
  }
}
