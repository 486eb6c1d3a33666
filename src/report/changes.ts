/** The changes of a run of whole intervals over the selected volumes. */
export interface ChangedRange {
  /** Distinct changed tracks (each volume's intervals ORed, then summed over volumes) × track size. */
  changedBytes: number;
  /**
   * The same bytes divided by the compression measured where they were written (see
   * `StreamedChanges`); equal to `changedBytes` when no per-interval ratios are applied.
   */
  compressedBytes: number;
}

/** A run [fromS, toS) and, when a mark was asked, its prefix [fromS, markS). */
export interface ChangedRanges {
  whole: ChangedRange;
  mark: ChangedRange | null;
}

/**
 * What the simulator, the planner and the cycle-length table read: the changes of the selected
 * volumes over any run of whole intervals of a window. `Timeline` answers from cells packed in
 * memory (small windows, tests, models); `StreamedChanges` reads the store forwards page by page
 * and remembers the answers, so its memory does not grow with the cells of the window.
 */
export interface CycleChanges {
  readonly firstS: number;
  readonly endS: number; // exclusive
  readonly intervalS: number;
  readonly trackBytes: number;
  /** True when `compressedBytes` already applies per-interval compression ratios. */
  readonly perIntervalCompression: boolean;
  /** Start of the first interval at or after `fromS` in which a selected volume has a cell; Infinity if none. */
  nextActiveS(fromS: number): number;
  /**
   * Changes in [fromS, toS) (interval aligned, clipped to the window) and, when `markS` is given
   * (fromS <= markS <= toS), in [fromS, markS). Callers ask in ascending order where they can.
   */
  changed(fromS: number, toS: number, markS?: number): ChangedRanges | Promise<ChangedRanges>;
  /** Written bytes in the window (all selected volumes). */
  writtenBytes(): number;
  /**
   * Get ready for runs of `cycleS` and shorter (the simulator's nominal cycles and their marks):
   * an implementation may compute them all in one pass (`CycleGrid`). Answers do not change.
   */
  prepareCycles?(cycleS: number): Promise<void> | void;
  /** Release what reading holds (a store read in progress). */
  close(): Promise<void>;
}

export const NO_CHANGE: ChangedRange = { changedBytes: 0, compressedBytes: 0 };
