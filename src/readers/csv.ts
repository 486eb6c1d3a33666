import { UsageError } from '../errors.js';
import type { ColumnRef } from './csv-mapping.js';
import type { FieldCursor } from './fields.js';
import { type LineParser, openLines } from './lines.js';
import { unixUsFromFiletime } from './msr.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';
import { plausibleTimeUs, relativeTimeProblem } from './epoch.js';
import { EXCERPT_CHARS, utf8 } from './fields.js';
import { type CsvKernelMapping, FILETIME_DIGITS, simdCsvLines } from './simd-csv.js';

/** Decimal digits that turn a time unit into µs (negative: digits dropped). */
const TIME_DIGITS = { s: 6, ms: 3, us: 0, ns: -3 } as const;

/**
 * Generic delimited text: the columns and units come from a `CsvMapping` (flags or scope file).
 * A first line whose mapped fields are not numbers is a header; columns may then be named.
 * Without an op column every record is a write; without a volume column the volume is the
 * file's (`--volume`, default its base name).
 */
export const csv: Reader = {
  name: 'csv',
  description:
    'generic delimited text; columns and units from --columns time=COL:s,offset=COL:sector,length=COL:B[,op=COL][,volume=COL]',
  sniff() {
    return false; // chosen by --format csv or --columns, never guessed
  },
  open(ctx: DecodeContext) {
    const mapping = ctx.csv;
    if (!mapping) throw new UsageError('csv: no column mapping; give --columns (see churnlink collect --help)');
    // Slots: time, offset, length, op, volume; null when unmapped.
    const refs: (ColumnRef | null)[] = [
      mapping.time.column,
      mapping.offset.column,
      mapping.length.column,
      mapping.op?.column ?? null,
      mapping.volume?.column ?? null,
    ];
    const named = refs.some((r) => typeof r === 'string');
    const fieldNames = Array.from({ length: 64 }, (_, i) => `column ${i + 1}`);
    const slotNames = ['time', 'offset', 'length', 'op', 'volume'];
    // Column positions (0-based) of time, offset, length, op, volume; -1 when unmapped.
    const at = new Int32Array(5).fill(-1);
    const resolve = (names: string[] | null): void => {
      refs.forEach((ref, i) => {
        if (ref === null) return;
        const pos = typeof ref === 'number' ? ref - 1 : names ? names.indexOf(ref) : -1;
        if (pos < 0 || pos >= 64) {
          const cut = (n: string): string => (n.length > EXCERPT_CHARS ? `${n.slice(0, EXCERPT_CHARS)}…` : n);
          const where = names ? ` in header (${names.map(cut).join(', ')})` : ' (no header line)';
          throw new UsageError(`csv: ${ctx.source}: column "${ref}" not found${where}`);
        }
        at[i] = pos;
      });
    };
    let last = 0;
    let headerSeen = false;
    const resolveAndName = (names: string[] | null): void => {
      resolve(names);
      at.forEach((pos, slot) => {
        if (pos >= 0) fieldNames[pos] = names?.[pos] || slotNames[slot]!;
      });
      last = Math.max(...at);
      // Well-formed lines go through the WebAssembly kernel once the columns are known.
      const bulk = ctx.simd === false ? undefined : simdCsvLines(kernelMapping(), ctx.batch, volumes, ctx.startUs);
      if (bulk) parser.bulk = bulk;
    };
    const starts = new Int32Array(64);
    const ends = new Int32Array(64);
    const volumes = new VolumeSpanCache(ctx.volumes, utf8);
    // A quoted name's bytes hold `""` for each quote: a cache of its own unescapes them.
    const unquote = (bytes: Uint8Array, start: number, end: number): string =>
      utf8(bytes, start, end).replaceAll('""', '"');
    const quotedVolumes = new VolumeSpanCache(ctx.volumes, unquote);
    const quoted = new Uint8Array(64);
    const fixedVolume = ctx.volumes.idOf(ctx.volumeName);
    const writeOps = mapping.op?.writeOps ?? [];
    const readOps = mapping.op?.readOps ?? [];

    const select = (f: FieldCursor, slot: number): FieldCursor => {
      f.start = starts[at[slot]!]!;
      f.end = ends[at[slot]!]!;
      return f;
    };
    const unit = mapping.time.unit;
    const absolute = unit === 'filetime' || unit.startsWith('epoch-');
    const digits = unit === 'filetime' ? 0 : TIME_DIGITS[unit.replace('epoch-', '') as keyof typeof TIME_DIGITS];
    // µs since the epoch (absolute units, checked) or since the trace start plus --start.
    const timeUsOf = (f: FieldCursor): number => {
      const name = fieldNames[at[0]!]!;
      if (unit === 'filetime') return plausibleTimeUs(f, name, unixUsFromFiletime(f, name));
      const timeUs = f.scaled(name, digits);
      if (absolute) return plausibleTimeUs(f, name, timeUs);
      const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
      if (timeProblem !== null) throw f.error(`${name} ${timeProblem}`);
      return timeUs + ctx.startUs;
    };

    const kernelMapping = (): CsvKernelMapping => ({
      delimiter: mapping.delimiter,
      columns: at,
      timeDigits: unit === 'filetime' ? FILETIME_DIGITS : digits,
      absolute,
      offsetUnitBytes: mapping.offset.unitBytes,
      lengthUnitBytes: mapping.length.unitBytes,
      fixedVolume,
      writeOps,
      readOps,
    });

    const parser: LineParser = {
      quotes: true,
      isHeader(f) {
        if (headerSeen) return false;
        headerSeen = true;
        const names: string[] = [];
        while (f.hasMore()) names.push(f.field('header').text().trim().replaceAll('""', '"'));
        if (named) {
          resolveAndName(names);
          return true;
        }
        const timeText = names[at[0]!] ?? '';
        return !/^\s*[\d.]+\s*$/.test(timeText);
      },
      parse(f) {
        for (let i = 0; i <= last; i++) {
          f.field(fieldNames[i]!);
          starts[i] = f.start;
          ends[i] = f.end;
          quoted[i] = f.quoted ? 1 : 0;
        }
        let isWrite = true;
        if (mapping.op) {
          select(f, 3);
          isWrite = false;
          let known = false;
          for (let i = 0; i < writeOps.length && !known; i++) if (f.is(writeOps[i]!)) isWrite = known = true;
          for (let i = 0; i < readOps.length && !known; i++) if (f.is(readOps[i]!)) known = true;
          if (!known) return; // other commands (flush, unmap, ...) neither write nor read data
        }
        const timeUs = timeUsOf(select(f, 0));
        const offset = select(f, 1).uint(fieldNames[at[1]!]!) * mapping.offset.unitBytes;
        const length = select(f, 2).uint(fieldNames[at[2]!]!) * mapping.length.unitBytes;
        const v = at[4]!;
        const names = quoted[v] ? quotedVolumes : volumes;
        const volume = mapping.volume ? names.id(f.bytes, starts[v]!, ends[v]!) : fixedVolume;
        if (volume < 0) throw select(f, 4).nulError(fieldNames[v]!);
        if (mapping.volume && ctx.volumes.names[volume] === '') throw select(f, 4).error(`${fieldNames[v]} is empty`);
        const problem = ctx.batch.rangeProblem(offset, length, isWrite);
        if (problem !== null) throw f.error(`${fieldNames[at[1]!]} + ${fieldNames[at[2]!]} ${problem}`);
        ctx.batch.push(volume, timeUs, offset, length, isWrite);
      },
    };
    if (!named) resolveAndName(null);
    return openLines(ctx, 'csv', mapping.delimiter.charCodeAt(0), parser);
  },
};
