import type { IoBatch } from './batch.js';
import type { VolumeTable } from './volumes.js';
import type { Warnings } from '../warnings.js';
import type { CsvMapping } from './csv-mapping.js';

/** What every decoder is given: where records go and how to name and convert things. */
export interface DecodeContext {
  /** File name (or `-`) used in error messages. */
  source: string;
  batch: IoBatch;
  volumes: VolumeTable;
  warnings: Warnings;
  /** Added to relative timestamps of formats without absolute time (µs since the epoch). */
  startUs: number;
  /** Count and skip malformed records instead of failing. */
  skipBad: boolean;
  /** Volume name for formats whose records do not name one (default: the file's base name). */
  volumeName: string;
  /**
   * Decode well-formed lines with the WebAssembly kernels where the format has one and they were
   * built (default true); false: the JS path alone. The results are the same either way.
   */
  simd?: boolean;
  /** Column mapping for the generic csv reader. */
  csv?: CsvMapping;
  /**
   * This reader's survey (see `Reader.survey`) of every input of the collect that could be read
   * twice (files), taken before any is decoded; absent for standard input.
   */
  survey?: Survey;
}

/** Counters a decoder keeps for the run summary. */
export interface DecodeStats {
  records: number;
  skipped: number;
  /** First skipped record's error, to show with the count. */
  firstSkipped?: string;
  /** The line that error names (text formats). */
  firstSkippedLine?: number;
  /** Which events were counted, when the reader had to choose (e.g. issue events, no queue events). */
  counted?: string;
}

/** `DecodeStats.counted` of block traces recorded without queue events. */
export const COUNTED_ISSUE = 'issue (D) events — the trace has no queue (Q) events';

/**
 * A first pass over the inputs of one collect, for facts that decide how records are read but
 * that no stream knows until its end, such as the earliest event of all per-CPU blktrace files
 * or whether any has queue events. Fed each input's decompressed bytes in order; keeps a few
 * counters, never records.
 */
export interface Survey {
  /** Returns false when this input needs no more bytes. */
  push(chunk: Uint8Array): boolean;
  /** The current input ended; the next push starts another. */
  endInput(): void;
  /** True when no more bytes are needed, from this input or any other. */
  readonly done: boolean;
}

/** A stateful decoder for one input stream: push chunks in order, then end(). */
export interface Decoder {
  push(chunk: Uint8Array): void;
  end(): void;
  readonly stats: DecodeStats;
}

/** One trace format: a plain object registered in `readers/index.ts`. */
export interface Reader {
  name: string;
  /** One line for `churnlink formats`: fields and units. */
  description: string;
  /** True when the first bytes of a file look like this format. */
  sniff(head: Uint8Array): boolean;
  open(ctx: DecodeContext): Decoder;
  /**
   * A new survey for formats that need a first pass over all inputs (see `Survey`). With
   * `skipBad` false it may stop reading an input at a record decoding will reject.
   */
  survey?(skipBad: boolean): Survey;
  /**
   * How a large file of this format may be cut for parallel decoding: at line starts, or at
   * multiples of a fixed record size read from the head. Absent: decoded in one piece (formats
   * with headers, summaries, state across records or variable-size records).
   */
  split?: { kind: 'lines' } | { kind: 'records'; recordBytes(head: Uint8Array): number };
}
