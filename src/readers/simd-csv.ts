import type { IoBatch } from './batch.js';
import { PLAUSIBLE_FROM_US } from './epoch.js';
import type { BulkLines } from './lines.js';
import { KernelLines, simdInstance } from './simd.js';
import type { VolumeSpanCache } from './volumes.js';

/** Columns a line may have for the csv kernel (assembly/fields.ts). */
const MAX_KERNEL_FIELDS = 8;
/** `timeDigits` of filetime (100 ns ticks since 1601; assembly/csv.ts). */
export const FILETIME_DIGITS = 100;
/** Op words the kernel compares, each at most 8 bytes (assembly/csv.ts). */
const MAX_OP_BYTES = 8;

/** The csv reader's mapping resolved to what its kernel needs (see src/readers/csv.ts). */
export interface CsvKernelMapping {
  delimiter: string;
  /** 0-based columns of time, offset, length, op, volume; -1 when unmapped. */
  columns: ArrayLike<number>;
  /** Decimal digits that turn the time unit into µs (6 s … -3 ns), or FILETIME_DIGITS. */
  timeDigits: number;
  /** Times since the epoch (checked for plausibility, no start added). */
  absolute: boolean;
  offsetUnitBytes: number;
  lengthUnitBytes: number;
  /** The volume of every record when no column names it. */
  fixedVolume: number;
  writeOps: readonly string[];
  readOps: readonly string[];
}

/**
 * A `BulkLines` for the generic csv reader (assembly/csv.ts), or undefined when the kernels are not
 * built or the mapping is outside the kernel's shape (another delimiter, a column past the 8th,
 * more op words than it holds): the JS path then takes every line.
 */
export function simdCsvLines(
  mapping: CsvKernelMapping,
  batch: IoBatch,
  volumes: VolumeSpanCache,
  startUs: number,
): BulkLines | undefined {
  const at = Array.from(mapping.columns);
  if (mapping.delimiter !== ',' || at.some((c) => c >= MAX_KERNEL_FIELDS)) return;
  const k = simdInstance();
  if (k === undefined) return undefined;
  k.configureCsv(
    at[0]!,
    at[1]!,
    at[2]!,
    at[3]!,
    at[4]!,
    mapping.timeDigits,
    mapping.absolute ? 1 : 0,
    mapping.offsetUnitBytes,
    mapping.lengthUnitBytes,
    mapping.fixedVolume,
  );
  if (at[3]! >= 0) {
    // Write words first: the JS path takes a word in both lists as a write.
    for (const [words, isWrite] of [
      [mapping.writeOps, 1],
      [mapping.readOps, 0],
    ] as const) {
      for (const word of words) {
        const key = opKey(word);
        // A word no field of at most 8 bytes can match is left out: such fields go to the JS path.
        if (key !== null && k.addCsvOp(key[0], key[1], word.length, isWrite) === 0) return undefined;
      }
    }
  }
  return new KernelLines(k, k.parseCsv, PLAUSIBLE_FROM_US, batch, volumes, startUs);
}

/**
 * The word as FieldCursor.is compares it, each character | 0x20, packed little-endian in two 32-bit
 * halves; null when no byte string can equal it there (longer than 8, or a character past 0xff).
 */
function opKey(word: string): [number, number] | null {
  if (word.length > MAX_OP_BYTES) return null;
  const bytes = new Uint8Array(MAX_OP_BYTES);
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i) | 0x20;
    if (code > 0xff) return null;
    bytes[i] = code;
  }
  const view = new DataView(bytes.buffer);
  return [view.getUint32(0, true), view.getUint32(4, true)];
}
