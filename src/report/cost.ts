import { UsageError } from '../errors.js';

/** Monthly prices of a link: per path, per Mbit/s of nominal bandwidth, or both (summed). */
export interface LinkPrices {
  perPath: number | null;
  perMbit: number | null;
}

/**
 * Monthly cost of a link: perPath × paths + perMbit × bandwidth in Mbit/s (1 Mbit/s = 10^6 bit/s).
 * Null when no price was given. A per-path price needs the number of paths.
 */
export function monthlyCost(prices: LinkPrices, linkBps: number, paths: number | null): number | null {
  if (prices.perPath === null && prices.perMbit === null) return null;
  if (prices.perPath !== null && paths === null) {
    throw new UsageError('a price per path needs a path bandwidth (pathBps)');
  }
  const pathCost = prices.perPath === null ? 0 : prices.perPath * paths!;
  return pathCost + (prices.perMbit === null ? 0 : (prices.perMbit * linkBps) / 1e6);
}
