import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { walkRoaring } from '../bitmap/roaring.js';
import type { CompressionSampleRow, IntervalRow } from '../store/store.js';
import { prng } from '../prng.js';

/** Links compress with fast codecs: raw deflate at level 1 (node:zlib) stands for them. */
export const SAMPLE_CODEC = 'deflate level 1';

/** 32-bit FNV-1a of a volume name and interval start, mixed with `seed`: the sample's seed. */
export function sampleSeedOf(volume: string, startS: number, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  const text = `${volume}\u0000${startS}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Up to `count` distinct tracks of a roaring bitmap holding `cardinality` tracks, each subset of
 * that size equally likely (Floyd's algorithm over ranks, driven by `seed`), ascending. Memory is
 * O(count): the bitmap is walked, never expanded.
 */
export function pickTracks(bitmap: Uint8Array, cardinality: number, count: number, seed: number): number[] {
  const k = Math.min(count, cardinality);
  if (k <= 0) return [];
  const random = prng(seed);
  const ranks = new Set<number>();
  for (let j = cardinality - k; j < cardinality; j++) {
    const t = Math.floor(random() * (j + 1));
    ranks.add(ranks.has(t) ? j : t);
  }
  const sorted = Float64Array.from(ranks).sort();
  const tracks: number[] = [];
  let rank = 0; // rank of the first value of the current range
  let next = 0; // index into sorted
  walkRoaring(bitmap, {
    range(first, last) {
      const end = rank + (last - first + 1); // exclusive
      while (next < sorted.length && sorted[next]! < end) tracks.push(first + (sorted[next++]! - rank));
      rank = end;
    },
  });
  return tracks;
}

/**
 * A token bucket: reads of `bytes` wait until the bucket holds them; it refills at
 * `rateBytesPerS` up to `burstBytes`. Bytes read by time t never exceed burst + rate × t.
 */
export class TokenBucket {
  #tokens: number;
  #atMs: number;

  constructor(
    readonly rateBytesPerS: number,
    readonly burstBytes: number,
    readonly nowMs: () => number = () => performance.now(),
  ) {
    this.#tokens = burstBytes;
    this.#atMs = nowMs();
  }

  /** Wait until `bytes` tokens are there (at most the burst), then take them. */
  async take(bytes: number): Promise<void> {
    const need = Math.min(bytes, this.burstBytes);
    for (;;) {
      const now = this.nowMs();
      this.#tokens = Math.min(this.burstBytes, this.#tokens + ((now - this.#atMs) * this.rateBytesPerS) / 1000);
      this.#atMs = now;
      if (this.#tokens >= need) {
        this.#tokens -= need;
        return;
      }
      const waitMs = Math.ceil(((need - this.#tokens) * 1000) / this.rateBytesPerS);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

export interface SamplerOptions {
  trackBytes: number;
  /** Tracks sampled per (volume, interval) at most. */
  tracksPerVolume: number;
  rateBytesPerS: number;
  /** Mixed into each (volume, interval)'s seed: the same seed picks the same tracks. */
  seed?: number;
  /** Volume name → the device to read. */
  devicePathOf: Map<string, string>;
  /** Each measured (volume, interval). */
  onSample: (sample: CompressionSampleRow) => void | Promise<void>;
  /** Every read, with the bytes it returned (metrics, tests). */
  onRead?: (bytes: number) => void;
  onError?: (err: Error) => void;
  /** Pending (volume, interval) jobs beyond which new ones are skipped (sampling fell behind). */
  maxPending?: number;
}

interface Job {
  runId: number;
  volume: string;
  startS: number;
  tracks: number[];
}

/**
 * Measures how compressible the changed tracks are: at each interval close, a seeded uniform
 * choice of up to N changed tracks per volume is read from the device (opened read-only),
 * through a token bucket, into one reused buffer (reads on libuv's thread pool). Each track is
 * checked for all zeros and hashed (sha256) for duplicates among the sample; each distinct content
 * is compressed once, on its own, with raw deflate level 1. The codec is deterministic, so a zero
 * track's size (computed once per length) and a duplicate's size (its first copy's) are exactly
 * what compressing it again would give. Deflate runs on this thread, one track at a time (~1-2 ms
 * for 64 KiB, well inside a 100-ms poll): at 4 MiB/s the thread pool's hand-off and a cold worker
 * thread after each token-bucket wait cost more CPU (measured) than blocking this thread for that
 * long. Runs after the interval is committed, one job at a time, between polls of the trace.
 */
export class CompressionSampler {
  readonly #o: Required<Omit<SamplerOptions, 'onRead' | 'onError'>> & Pick<SamplerOptions, 'onRead' | 'onError'>;
  readonly #bucket: TokenBucket;
  readonly #queue: Job[] = [];
  readonly #zeros: Buffer;
  /** The track being measured (jobs run one at a time, each track measured before the next is read). */
  readonly #track: Buffer;
  readonly #zeroSizes = new Map<number, number>();
  #running: Promise<void> | null = null;
  /** (volume, interval) jobs skipped because the sampler was behind. */
  skipped = 0;
  bytesRead = 0;

  constructor(options: SamplerOptions) {
    this.#o = { seed: 0, maxPending: 4 * Math.max(1, options.devicePathOf.size), ...options };
    this.#bucket = new TokenBucket(options.rateBytesPerS, options.trackBytes);
    this.#zeros = Buffer.alloc(options.trackBytes);
    this.#track = Buffer.allocUnsafe(options.trackBytes);
  }

  /** Choose the tracks of one closed interval's rows and queue their reads; returns at once. */
  enqueue(runId: number, rows: IntervalRow[]): void {
    for (const r of rows) {
      if (r.changedTracks === 0 || !this.#o.devicePathOf.has(r.volume)) continue;
      if (this.#queue.length >= this.#o.maxPending) {
        this.skipped++;
        continue;
      }
      const seed = sampleSeedOf(r.volume, r.startS, this.#o.seed);
      const tracks = pickTracks(r.bitmap, r.changedTracks, this.#o.tracksPerVolume, seed);
      this.#queue.push({ runId, volume: r.volume, startS: r.startS, tracks });
    }
    this.#running ??= this.#run().finally(() => (this.#running = null));
  }

  /** Resolves when every queued job is measured. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      try {
        await this.#o.onSample(await this.#measure(job));
      } catch (err) {
        this.#o.onError?.(err as Error);
      }
    }
  }

  #zeroCompressedBytes(bytes: number): number {
    let n = this.#zeroSizes.get(bytes);
    if (n === undefined) {
      n = deflateRawSync(this.#zeros.subarray(0, bytes), { level: 1 }).length;
      this.#zeroSizes.set(bytes, n);
    }
    return n;
  }

  async #measure(job: Job): Promise<CompressionSampleRow> {
    const T = this.#o.trackBytes;
    const file = await open(this.#o.devicePathOf.get(job.volume)!, 'r'); // O_RDONLY: never written
    /** Content key (sha256, or zeros and length) → deflated bytes: duplicates are not compressed again. */
    const sizeOf = new Map<string, number>();
    const sample: CompressionSampleRow = {
      runId: job.runId,
      volume: job.volume,
      startS: job.startS,
      tracksSampled: 0,
      rawBytes: 0,
      compressedBytes: 0,
      zeroTracks: 0,
      dupTracks: 0,
    };
    try {
      for (const track of job.tracks) {
        await this.#bucket.take(T);
        const { bytesRead } = await file.read(this.#track, 0, T, track * T);
        this.bytesRead += bytesRead;
        this.#o.onRead?.(bytesRead);
        if (bytesRead === 0) continue; // past the end: the device shrank
        const data = this.#track.subarray(0, bytesRead);
        sample.tracksSampled++;
        sample.rawBytes += bytesRead;
        const zero = data.equals(this.#zeros.subarray(0, bytesRead));
        if (zero) sample.zeroTracks++;
        const key = zero ? `zero:${bytesRead}` : createHash('sha256').update(data).digest('base64');
        let compressedBytes = sizeOf.get(key);
        if (compressedBytes === undefined) {
          compressedBytes = zero ? this.#zeroCompressedBytes(bytesRead) : deflateRawSync(data, { level: 1 }).length;
          sizeOf.set(key, compressedBytes);
        } else {
          sample.dupTracks++;
        }
        sample.compressedBytes += compressedBytes;
      }
    } finally {
      await file.close();
    }
    return sample;
  }
}
