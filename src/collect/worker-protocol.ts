import type { CsvMapping } from '../readers/csv-mapping.js';
import type { DecodeStats } from '../readers/reader.js';
import type { Warning } from '../warnings.js';
import type { Scope } from '../scope/scope.js';

/** What a decoding worker is given: a byte range [start, end) of one file and how to read it. */
export interface RangeTask {
  path: string;
  start: number;
  end: number; // exclusive
  format: string;
  startUs: number;
  skipBad: boolean;
  volumeName: string;
  csv?: CsvMapping;
  tracker: { intervalS: number; trackBytes: number; lateIntervals: number };
  scope: Scope;
  /** How the file may be cut (a later cut ends this range early: worker-control.ts). */
  split: { kind: 'lines' } | { kind: 'records'; recordBytes: number };
  /** The WorkerControl buffer: back-pressure and cut requests. */
  control: SharedArrayBuffer;
}

/** Messages from a decoding worker, in order: rows and progress, then done or error. */
export type WorkerMessage =
  /** Closed rows packed by `packRows`; `names`: volumes first seen since the last rows message. */
  | { kind: 'rows'; rows: ArrayBuffer; names: string[] }
  | { kind: 'progress'; bytes: number; records: number }
  /** Answer to a cut request: this range now ends at `at` and [at, end) is left to another worker; null: no cut. */
  | { kind: 'cut'; at: number | null; end: number }
  | { kind: 'done'; stats: DecodeStats; backwards: number; reopened: number; outOfScope: number; warnings: Warning[] }
  | { kind: 'error'; errorClass: 'input' | 'usage' | 'other'; message: string; line?: number };
