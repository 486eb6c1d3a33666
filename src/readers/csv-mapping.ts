import { UsageError, checkEnum } from '../errors.js';
import { parseBytes } from '../units/bytes.js';

/**
 * Time units: `s`, `ms`, `us`, `ns` count from the start of the trace (plus `--start`); the
 * absolute ones — `epoch-s` … `epoch-ns` since the Unix epoch, `filetime` (100 ns ticks since
 * 1601) — get no `--start` and must be plausible (1990 .. 2100).
 */
export const TIME_UNITS = ['s', 'ms', 'us', 'ns', 'epoch-s', 'epoch-ms', 'epoch-us', 'epoch-ns', 'filetime'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** A column named by header text or by 1-based position. */
export type ColumnRef = string | number;

/**
 * How the generic csv reader finds each field and converts its unit. Given by
 * `--columns time=time:s,offset=lbn:sector,length=size:B,op=op,volume=dev`, `--write-ops`,
 * `--read-ops`, or by the `csv:` section of the scope file.
 */
export interface CsvMapping {
  delimiter: string;
  time: { column: ColumnRef; unit: TimeUnit };
  offset: { column: ColumnRef; unitBytes: number };
  length: { column: ColumnRef; unitBytes: number };
  /** Without an op column every record is a write. */
  op?: { column: ColumnRef; writeOps: string[]; readOps: string[] };
  volume?: { column: ColumnRef };
}

/** Op values taken as writes and reads when none are given (compared ignoring case). */
export const DEFAULT_WRITE_OPS = ['w', 'write', 'wr', '1', '2a', '8a', 'aa', 'ws'];
export const DEFAULT_READ_OPS = ['r', 'read', 'rd', '0', '28', '88', 'a8', 'rs'];

const OFFSET_UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  sector: 512,
  sectors: 512,
  blk: 512,
  '4k': 4096,
  page: 4096,
};

function unitBytesOf(text: string, what: string): number {
  const named = OFFSET_UNITS[text.toLowerCase()];
  return named ?? parseBytes(text, `${what} unit`);
}

function columnRefOf(text: string): ColumnRef {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** Settings as they come from flags or a scope file, before validation. */
export interface CsvMappingInput {
  columns?: string | Record<string, string>;
  writeOps?: string | string[];
  readOps?: string | string[];
  delimiter?: string;
}

/**
 * Build a mapping from `time=COL:UNIT,offset=COL:UNIT,length=COL:UNIT[,op=COL][,volume=COL]`
 * (or the same as an object). Units: time s|ms|us|ns|filetime; offset and length B|sector|4k or
 * any size such as 512 or 4KiB. Columns: header names or 1-based positions.
 */
export function parseCsvMapping(input: CsvMappingInput): CsvMapping {
  if (input.columns === undefined) {
    throw new UsageError(
      'csv: no column mapping; give --columns time=COL:s,offset=COL:sector,length=COL:B,op=COL (or a csv: section in the scope file)',
    );
  }
  const spec: Record<string, string> = {};
  if (typeof input.columns === 'string') {
    for (const part of input.columns.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new UsageError(`csv: column mapping part is not key=column[:unit]: "${part}"`);
      spec[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  } else Object.assign(spec, input.columns);
  for (const key of Object.keys(spec)) checkEnum('csv column key', key, ['time', 'offset', 'length', 'op', 'volume']);
  const need = (key: string): [ColumnRef, string] => {
    const value = spec[key];
    if (value === undefined) throw new UsageError(`csv: column mapping lacks ${key}=COLUMN:UNIT`);
    const colon = value.lastIndexOf(':');
    return colon < 0 ? [columnRefOf(value), ''] : [columnRefOf(value.slice(0, colon)), value.slice(colon + 1)];
  };
  const [timeCol, timeUnit] = need('time');
  const [offsetCol, offsetUnit] = need('offset');
  const [lengthCol, lengthUnit] = need('length');
  const mapping: CsvMapping = {
    delimiter: input.delimiter ?? ',',
    time: { column: timeCol, unit: checkEnum('csv time unit', timeUnit || 's', TIME_UNITS) },
    offset: { column: offsetCol, unitBytes: unitBytesOf(offsetUnit || 'B', 'offset') },
    length: { column: lengthCol, unitBytes: unitBytesOf(lengthUnit || 'B', 'length') },
  };
  if (mapping.delimiter.length !== 1)
    throw new UsageError(`csv: delimiter must be one character; got "${mapping.delimiter}"`);
  if (spec.op !== undefined) {
    mapping.op = {
      column: columnRefOf(spec.op),
      writeOps: listOf(input.writeOps) ?? DEFAULT_WRITE_OPS,
      readOps: listOf(input.readOps) ?? DEFAULT_READ_OPS,
    };
  }
  if (spec.volume !== undefined) mapping.volume = { column: columnRefOf(spec.volume) };
  return mapping;
}

function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : value.split(',')).map((v) => String(v).trim()).filter((v) => v !== '');
}
