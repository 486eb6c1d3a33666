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
}

/** Messages from a decoding worker, in order: rows and progress, then done or error. */
export type WorkerMessage =
  /** Closed rows packed by `packRows`; `names`: volumes first seen since the last rows message. */
  | { kind: 'rows'; rows: ArrayBuffer; names: string[] }
  | { kind: 'progress'; bytes: number; records: number }
  | { kind: 'done'; stats: DecodeStats; backwards: number; reopened: number; outOfScope: number; warnings: Warning[] }
  | { kind: 'error'; errorClass: 'input' | 'usage' | 'other'; message: string; line?: number };
