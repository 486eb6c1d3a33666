import { UsageError } from '../errors.js';
import { alibaba } from './alibaba.js';
import { blkparse } from './blkparse.js';
import { blktrace } from './blktrace.js';
import { csv } from './csv.js';
import { latin1 } from './fields.js';
import { fiu } from './fiu.js';
import { msr } from './msr.js';
import type { Reader } from './reader.js';
import { spc } from './spc.js';
import { tencent } from './tencent.js';
import { tracefs } from './tracefs.js';
import { vscsi } from './vscsi.js';
import { vscsiCsv } from './vscsi-csv.js';

/**
 * The format registry: one plain object per format. Adding a format is one file and one line
 * here. Order matters for sniffing: more specific formats first; `csv` never sniffs.
 */
export const readers: Readonly<Record<string, Reader>> = registry([
  blktrace,
  vscsi,
  msr,
  alibaba,
  tencent,
  spc,
  fiu,
  blkparse,
  tracefs,
  vscsiCsv,
  csv,
]);

function registry(list: Reader[]): Record<string, Reader> {
  const byName: Record<string, Reader> = {};
  for (const reader of list) {
    if (byName[reader.name]) throw new Error(`readers: duplicate format name "${reader.name}"`);
    byName[reader.name] = reader;
  }
  return byName;
}

export const formatNames = (): string[] => Object.keys(readers);

/** The reader for `--format NAME`, or a UsageError listing the known formats. */
export function readerByName(name: string): Reader {
  const reader = readers[name.toLowerCase()];
  if (!reader) throw new UsageError(`unknown format "${name}"; known formats: ${formatNames().join(', ')}`);
  return reader;
}

/**
 * Pick the reader by content: the first whose `sniff` accepts the head of the (decompressed)
 * input. Fails with what was seen and the list of known formats.
 */
export function sniffReader(input: Uint8Array, source: string): Reader {
  // A UTF-8 byte order mark is no part of any format (text decoders skip it too).
  const head = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  for (const reader of Object.values(readers)) if (reader.sniff(head)) return reader;
  const firstLine = latin1(head, 0, Math.min(head.length, 60))
    .split('\n')[0]!
    .replace(/[^\x20-\x7e]/g, '.');
  throw new UsageError(
    `${source}: unrecognised trace format (first bytes: "${firstLine}"); known formats: ${formatNames().join(', ')}; use --format NAME (csv needs --columns)`,
  );
}

export type { Reader } from './reader.js';
