import { DEFAULT_LINK_PARAMS, type LinkParams } from '../report/link.js';
import { parseFraction, parseRatio } from './args.js';
import { linkParamsOrMeasured } from './measured-compression.js';

/** The link-parameter flags every sizing command takes. */
export const LINK_PARAM_FLAGS = {
  overhead: { type: 'string' },
  compression: { type: 'string' },
  'compression-default': { type: 'string' },
  efficiency: { type: 'string' },
} as const;

export const LINK_PARAM_HELP = `  --overhead FRACTION   protocol overhead, 0.1 or 10% (default 0)
  --compression RATIO   compression ratio, 2 or 2:1 (default 1), or "measured": per interval, the ratio a
                        live collector measured (live --sample-compression); intervals without samples
                        use --compression-default RATIO (default 1)
  --efficiency FRACTION usable share of the nominal bandwidth, 0.9 or 90% (default 1)`;

/** Overhead, compression and efficiency from flags, with the documented defaults. */
export function linkParamsOf(values: { overhead?: string; compression?: string; efficiency?: string }): LinkParams {
  // "measured": the default ratio stands in until measuredFromFlags (measured-compression.ts) replaces it.
  if (values.compression === 'measured' || 'compression-default' in values) return linkParamsOrMeasured(values).params;
  return {
    overhead:
      values.overhead === undefined
        ? DEFAULT_LINK_PARAMS.overhead
        : parseFraction(values.overhead, '--overhead', { min: 0, max: 10 }),
    compression:
      values.compression === undefined
        ? DEFAULT_LINK_PARAMS.compression
        : parseRatio(values.compression, '--compression'),
    efficiency:
      values.efficiency === undefined
        ? DEFAULT_LINK_PARAMS.efficiency
        : parseFraction(values.efficiency, '--efficiency', { min: 0.01, max: 1 }),
  };
}
