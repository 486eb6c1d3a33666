import { UsageError } from '../errors.js';

/** Named line rates (bit/s). SONET/SDH and PDH rates are the line rates as usually quoted. */
const NAMED_BANDWIDTH_BPS: Readonly<Record<string, number>> = {
  t1: 1.544e6,
  e1: 2.048e6,
  t3: 44.736e6,
  e3: 34.368e6,
  oc3: 155.52e6,
  oc12: 622.08e6,
  oc48: 2488.32e6,
  oc192: 9953.28e6,
  '100mbe': 100e6,
  '1gbe': 1e9,
  '10gbe': 10e9,
  '25gbe': 25e9,
  '40gbe': 40e9,
  '100gbe': 100e9,
};

const BITS_PER_UNIT: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  bps: 1,
  kbps: 1e3,
  mbps: 1e6,
  gbps: 1e9,
  tbps: 1e12,
  'b/s': 1,
  'kb/s': 1e3,
  'mb/s': 1e6,
  'gb/s': 1e9,
  'bit/s': 1,
  'kbit/s': 1e3,
  'mbit/s': 1e6,
  'gbit/s': 1e9,
  'tbit/s': 1e12,
  'mib/s': 8 * 1024 ** 2,
  'gib/s': 8 * 1024 ** 3, // byte rates, for users who think in bytes
};

/**
 * Parse one path's bandwidth: `100Mbit`, `1.5Gbit/s`, `T1`, `OC3`, `10GbE`. SI prefixes:
 * 1 Mbit/s = 10^6 bit/s. Returns bit/s. A unit is required: a bare `155` is far more often a
 * forgotten `Mbit` than 155 bit/s, and a link sized on it would be off by a factor of a million.
 */
export function parseBandwidthBps(text: string, what = 'bandwidth'): number {
  const key = text.trim().toLowerCase();
  const named = NAMED_BANDWIDTH_BPS[key];
  if (named !== undefined) return named;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z/]*)$/.exec(key);
  if (m && m[2] === '') {
    throw new UsageError(
      `${what} needs a unit: "${text}" (did you mean ${m[1]}Mbit? units: bit, kbit, Mbit, Gbit, Tbit, ` +
        'or a named rate such as T3, OC3, 1GbE)',
    );
  }
  const factor = m ? BITS_PER_UNIT[m[2]!] : undefined;
  if (m && factor !== undefined && Number(m[1]) <= 0) throw new UsageError(`${what} must be above 0 bit/s: "${text}"`);
  if (!m || factor === undefined) {
    throw new UsageError(`${what} is not a bandwidth (e.g. 100Mbit, 1Gbit, T3, OC3, 1GbE): "${text}"`);
  }
  return Number(m[1]) * factor;
}

/** A replication link: `paths` parallel paths of `pathBps` each. */
export interface Link {
  paths: number;
  pathBps: number;
}

/** Parse `4x155Mbit`, `2xOC3` or a single path `1GbE`. */
export function parseLink(text: string): Link {
  const m = /^\s*(\d+)\s*[x×*]\s*(.+)$/i.exec(text);
  if (!m) return { paths: 1, pathBps: parseBandwidthBps(text, 'link') };
  const paths = Number(m[1]);
  if (paths < 1) throw new UsageError(`link must have at least one path: "${text}"`);
  return { paths, pathBps: parseBandwidthBps(m[2]!, 'link') };
}

const SI = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

/** Format bit/s with SI prefixes and 2 decimals: `155.52 Mbit/s`. */
export function formatBandwidth(bps: number): string {
  if (!Number.isFinite(bps)) return '-';
  let value = bps;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < SI.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)} ${SI[unit]}`;
}
