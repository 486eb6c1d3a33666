import { UsageError } from '../errors.js';

const BYTES_PER_UNIT: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4, // bare letters follow storage habit: binary
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
};

/** Parse a size such as `64KiB`, `10 GiB`, `1.5TB`, `512` (bytes). Returns bytes. */
export function parseBytes(text: string | number, what = 'size'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new UsageError(`${what} must be a non-negative number of bytes; got ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = m ? BYTES_PER_UNIT[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new UsageError(`${what} is not a size (e.g. 64KiB, 10GiB, 4096): "${text}"`);
  }
  return Math.round(Number(m[1]) * factor);
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Format bytes with IEC prefixes and 2 decimals (`1.50 GiB`); bytes below 1 KiB are exact. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < IEC.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(2)} ${IEC[unit]}`;
}
