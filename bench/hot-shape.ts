/**
 * The hot-region trace shape of the ingest benchmark (`bench/ingest.js --shape hot`): 4 volumes of
 * 200 GiB, 80 % of the writes in a 2 GiB region of each, the rest and all reads anywhere on the
 * volume, sizes 512 B to 64 KiB in 512 B steps, MSR CSV. Deterministic for a seed.
 */
import { prng } from '../src/prng.js';

const FILETIME_UNIX_OFFSET_S = 11_644_473_600;
const START_UNIX_S = Date.UTC(2026, 0, 5) / 1000; // 2026-01-05T00:00Z, as generate.ts
const GiB = 1024 ** 3;
const VOLUME_BYTES = 200 * GiB;
const HOT_BYTES = 2 * GiB;
const HOT_SHARE = 0.8;
const READ_SHARE = 0.25;
const SECTOR_BYTES = 512;
const MAX_SIZE_SECTORS = 128; // 64 KiB
const VOLUMES = 4;

/** Yield `records` MSR lines over `hours`, in chunks of lines. */
export function* generateHot(records: number, hours: number, seed: number): Generator<string> {
  const rand = prng(seed);
  const hotStart = Array.from({ length: VOLUMES }, (_, v) => (16 + 40 * v) * GiB);
  const spanUs = hours * 3600 * 1e6;
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const timeUs = Math.floor(START_UNIX_S * 1e6 + (i / records) * spanUs);
    const volume = Math.floor(rand() * VOLUMES);
    const isWrite = rand() >= READ_SHARE;
    const sizeBytes = SECTOR_BYTES * (1 + Math.floor(rand() * MAX_SIZE_SECTORS));
    const hot = isWrite && rand() < HOT_SHARE;
    const startBytes = hot ? hotStart[volume]! : 0;
    const spanBytes = (hot ? HOT_BYTES : VOLUME_BYTES) - sizeBytes;
    const offsetBytes = startBytes + SECTOR_BYTES * Math.floor((rand() * spanBytes) / SECTOR_BYTES);
    const seconds = Math.floor(timeUs / 1e6) + FILETIME_UNIX_OFFSET_S;
    const ticks = String((timeUs % 1e6) * 10).padStart(7, '0');
    const responseUs = 100 + Math.floor(rand() * 5000);
    const type = isWrite ? 'Write' : 'Read';
    lines.push(`${seconds}${ticks},hot${volume},0,${type},${offsetBytes},${sizeBytes},${responseUs}`);
    if (lines.length === 8192) {
      yield lines.join('\n') + '\n';
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}
