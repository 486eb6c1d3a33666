/*
 * How far a measured compression ratio can be from the truth, from the sample sizes alone.
 *
 * Each sampled track's compressed fraction (compressed bytes / track bytes) lies in [0, R], R
 * being deflate's worst-case expansion of one track (zlib's deflateBound for raw deflate). A set
 * of intervals sends Σ cᵢ·p̂ᵢ track-equivalents, p̂ᵢ the mean fraction of interval i's nᵢ sampled
 * tracks out of its cᵢ changed ones. By Hoeffding's inequality (valid for sampling without
 * replacement too) that sum is within ε = sqrt(ln(2/α)/2 · Σ (R·cᵢ)²/nᵢ) of the true one with
 * probability at least 1 − α; an interval whose changed tracks were all sampled adds nothing.
 * Intervals without a sample use the default ratio and add nothing either: that is an assumption,
 * not a measurement, and the assumptions line counts them.
 */

/** Confidence level of the reported range. */
export const CONFIDENCE_LEVEL = 0.95;

/** The ratio range that holds with CONFIDENCE_LEVEL; `ratioHigh` null: no upper bound at this sample size. */
export interface RatioConfidence {
  level: number;
  ratioLow: number;
  ratioHigh: number | null;
}

/** Worst-case compressed fraction of one track of `trackBytes` under raw deflate (zlib deflateBound). */
export function deflateExpansion(trackBytes: number): number {
  const t = Math.max(1, Math.round(trackBytes));
  return (t + Math.floor(t / 4096) + Math.floor(t / 16384) + Math.floor(t / 33554432) + 7) / t;
}

/** Accumulates the intervals of one estimate: changed tracks, wire tracks and the variance bound. */
export class ConfidenceAccumulator {
  changedTracks = 0;
  wireTracks = 0;
  /** Σ (R·cᵢ)²/nᵢ over partly sampled intervals. */
  #spread = 0;
  /** Largest possible wire tracks: measured intervals at R, fallbacks at their default. */
  #wireMax = 0;
  /** Wire tracks of the fallback intervals (no sampling error). */
  #wireFixed = 0;

  /** An interval with a measured mean fraction `fraction` from `tracksSampled` tracks. */
  addMeasured(changedTracks: number, fraction: number, tracksSampled: number, expansion: number): void {
    this.changedTracks += changedTracks;
    this.wireTracks += changedTracks * fraction;
    this.#wireMax += changedTracks * expansion;
    if (tracksSampled < changedTracks) this.#spread += (expansion * changedTracks) ** 2 / tracksSampled;
  }

  /** An interval without a sample, sent at `defaultRatio`. */
  addFallback(changedTracks: number, defaultRatio: number): void {
    this.changedTracks += changedTracks;
    this.wireTracks += changedTracks / defaultRatio;
    this.#wireMax += changedTracks / defaultRatio;
    this.#wireFixed += changedTracks / defaultRatio;
  }

  /** The ratio range; `fallbackRatio` when nothing changed. */
  confidence(fallbackRatio: number): RatioConfidence {
    if (this.changedTracks === 0) return { level: CONFIDENCE_LEVEL, ratioLow: fallbackRatio, ratioHigh: fallbackRatio };
    const epsilon = Math.sqrt((Math.log(2 / (1 - CONFIDENCE_LEVEL)) / 2) * this.#spread);
    const high = Math.min(this.wireTracks + epsilon, this.#wireMax);
    // Measured fractions are never below 0: the wire is at least what the fallbacks send.
    const low = Math.max(this.wireTracks - epsilon, this.#wireFixed);
    return {
      level: CONFIDENCE_LEVEL,
      ratioLow: this.changedTracks / high,
      ratioHigh: low > 0 ? this.changedTracks / low : null,
    };
  }
}
