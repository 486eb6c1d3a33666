import type { CompressionSampleRow } from '../store/store.js';
import { ConfidenceAccumulator, deflateExpansion, type RatioConfidence } from './compression-confidence.js';

/*
 * `--compression measured`: each (volume, interval)'s compression ratio measured by a live
 * collector's sample of its changed tracks replaces the guessed ratio; intervals without a
 * sample fall back to a default ratio (1:1 unless `--compression-default` says otherwise) and are
 * counted. Pure: takes the stored samples and interval counts, returns ratios and summaries.
 */

/** What `--compression measured` reports per volume (the JSON `measuredCompression`). */
export interface MeasuredCompressionSummary {
  /** Changed bytes / bytes after compression, over the volume's intervals (fallbacks included). */
  ratio: number;
  /** The range `ratio` lies in with 95 % confidence, from the sample sizes (compression-confidence.ts). */
  confidence: RatioConfidence;
  /** Share of sampled tracks that were all zeros. */
  zeroShare: number;
  /** Share of sampled tracks identical to an earlier sampled track of their interval. */
  dedupShare: number;
  tracksSampled: number;
}

/** One (volume, interval) whose changed tracks go over the link. */
export interface ChangedInterval {
  volume: string;
  startS: number;
  changedTracks: number;
}

/** The effective ratio over a set of intervals, and how many had no sample. */
export interface EffectiveCompression {
  ratio: number;
  confidence: RatioConfidence;
  measuredIntervals: number;
  fallbackIntervals: number;
}

export interface Totals {
  tracksSampled: number;
  rawBytes: number;
  compressedBytes: number;
  zeroTracks: number;
  dupTracks: number;
}

const keyOf = (volume: string, startS: number): string => `${startS}\u0000${volume}`;

/**
 * Measured ratios by (volume, interval). Samples of one (volume, interval) from several runs are
 * pooled (their bytes summed). The ratio of a set of intervals is the ratio of their changed
 * bytes to the bytes the link sends, Σ c / Σ (c / r) — the changed-bytes-weighted harmonic mean —
 * so a window's wire bytes equal the sum of its intervals' wire bytes.
 */
export class MeasuredCompression {
  readonly #byInterval = new Map<string, Totals>();
  readonly #byVolume = new Map<string, Totals>();

  constructor(
    samples: CompressionSampleRow[],
    readonly defaultRatio = 1,
  ) {
    if (!(defaultRatio > 0)) {
      throw new Error(`measured compression: the default ratio must be above 0; got ${defaultRatio}`);
    }
    for (const s of samples) {
      if (s.tracksSampled === 0 || s.compressedBytes === 0) continue;
      add(this.#byInterval, keyOf(s.volume, s.startS), s);
      add(this.#byVolume, s.volume, s);
    }
  }

  /** The measured ratio of one (volume, interval), or null without a sample. */
  measuredRatio(volume: string, startS: number): number | null {
    const t = this.#byInterval.get(keyOf(volume, startS));
    return t === undefined ? null : t.rawBytes / t.compressedBytes;
  }

  /** The ratio to apply to one (volume, interval): measured, else the default. */
  ratioAt(volume: string, startS: number): number {
    return this.measuredRatio(volume, startS) ?? this.defaultRatio;
  }

  /** The ratio over `intervals` weighted by their changed tracks; the default when none changed. */
  effective(intervals: Iterable<ChangedInterval>): EffectiveCompression {
    const acc = new EffectiveAccumulator(this);
    for (const i of intervals) acc.add(i);
    return acc.result();
  }

  /** Per-volume summaries over `intervals` (the ratio) and all of each volume's samples (the shares), in one pass. */
  summaries(volumes: Iterable<string>, intervals: Iterable<ChangedInterval>): Map<string, MeasuredCompressionSummary> {
    const byVolume = new Map<string, EffectiveAccumulator>();
    for (const v of volumes) byVolume.set(v, new EffectiveAccumulator(this));
    for (const i of intervals) byVolume.get(i.volume)?.add(i);
    const out = new Map<string, MeasuredCompressionSummary>();
    for (const [volume, acc] of byVolume) {
      const { ratio, confidence } = acc.result();
      const t = this.#byVolume.get(volume);
      out.set(volume, {
        ratio,
        confidence,
        zeroShare: t === undefined ? 0 : t.zeroTracks / t.tracksSampled,
        dedupShare: t === undefined ? 0 : t.dupTracks / t.tracksSampled,
        tracksSampled: t?.tracksSampled ?? 0,
      });
    }
    return out;
  }

  /** The pooled sample of one (volume, interval), or undefined. */
  sampleOf(volume: string, startS: number): Readonly<Totals> | undefined {
    return this.#byInterval.get(keyOf(volume, startS));
  }

  /**
   * The assumptions line: which ratio was used where. `fallbackIntervals` intervals had no
   * sample and used the default.
   */
  assumption(e: EffectiveCompression): string {
    const def = `${formatRatio(this.defaultRatio)}:1`;
    const c = e.confidence;
    const range =
      c.ratioHigh === null
        ? `at least ${formatRatio(c.ratioLow)}:1`
        : `${formatRatio(c.ratioLow)}–${formatRatio(c.ratioHigh)}:1`;
    const exact = c.ratioLow === c.ratioHigh;
    const confidence =
      e.measuredIntervals === 0
        ? ''
        : exact
          ? ' (every changed track of the measured intervals sampled)'
          : ` (${Math.round(c.level * 100)} % confidence: ${range})`;
    return (
      `compression measured (deflate level 1 on sampled changed tracks): ${formatRatio(e.ratio)}:1 effective` +
      `${confidence}; ${e.measuredIntervals} intervals measured, ${e.fallbackIntervals} without samples at ${def}`
    );
  }
}

function add(map: Map<string, Totals>, key: string, s: CompressionSampleRow): void {
  const t = map.get(key);
  if (t === undefined) {
    const { tracksSampled, rawBytes, compressedBytes, zeroTracks, dupTracks } = s;
    map.set(key, { tracksSampled, rawBytes, compressedBytes, zeroTracks, dupTracks });
    return;
  }
  t.tracksSampled += s.tracksSampled;
  t.rawBytes += s.rawBytes;
  t.compressedBytes += s.compressedBytes;
  t.zeroTracks += s.zeroTracks;
  t.dupTracks += s.dupTracks;
}

const formatRatio = (r: number): string => (Math.round(r * 100) / 100).toString();

/** One estimate's running sums: its ratio, confidence range and interval counts. */
class EffectiveAccumulator {
  readonly #acc = new ConfidenceAccumulator();
  #measured = 0;
  #fallback = 0;

  constructor(readonly compression: MeasuredCompression) {}

  add(i: ChangedInterval): void {
    const t = this.compression.sampleOf(i.volume, i.startS);
    if (t === undefined) {
      this.#fallback++;
      this.#acc.addFallback(i.changedTracks, this.compression.defaultRatio);
      return;
    }
    this.#measured++;
    const trackBytes = t.rawBytes / t.tracksSampled;
    this.#acc.addMeasured(
      i.changedTracks,
      t.compressedBytes / t.rawBytes,
      t.tracksSampled,
      deflateExpansion(trackBytes),
    );
  }

  result(): EffectiveCompression {
    const { changedTracks, wireTracks } = this.#acc;
    const ratio = wireTracks === 0 ? this.compression.defaultRatio : changedTracks / wireTracks;
    return {
      ratio,
      confidence: this.#acc.confidence(ratio),
      measuredIntervals: this.#measured,
      fallbackIntervals: this.#fallback,
    };
  }
}
