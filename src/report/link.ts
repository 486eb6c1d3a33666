import type { Link } from '../units/bandwidth.js';

/**
 * Link parameters applied to changed bytes before they meet the wire:
 * D = changedBytes × (1 + growth) × (1 + overhead) / compression, and only `efficiency` of the
 * nominal bandwidth carries payload.
 */
export interface LinkParams {
  overhead: number; // protocol overhead as a fraction, e.g. 0.1 = 10 %
  compression: number; // compression ratio, e.g. 2 = 2:1
  efficiency: number; // usable fraction of nominal bandwidth, (0, 1]
  /** Expected growth of the changes as a fraction, e.g. 0.3 = 30 % more; absent: 0. */
  growth?: number;
}

export const DEFAULT_LINK_PARAMS: LinkParams = { overhead: 0, compression: 1, efficiency: 1 };

/** Bytes on the wire for `changedBytes` of changed data. */
export function wireBytes(changedBytes: number, p: LinkParams): number {
  return (changedBytes * (1 + (p.growth ?? 0)) * (1 + p.overhead)) / p.compression;
}

/** Bandwidth (bit/s) needed to send the changes within `resyncS`: 8·D / (R · efficiency). */
export function requiredBandwidthBps(changedBytes: number, resyncS: number, p: LinkParams): number {
  return (8 * wireBytes(changedBytes, p)) / (resyncS * p.efficiency);
}

/** Parallel paths of `pathBps` each to reach `requiredBps`: ceil(required / b), at least 1. */
export function pathsNeeded(requiredBps: number, pathBps: number): number {
  return Math.max(1, Math.ceil(requiredBps / pathBps - 1e-12));
}

/** Bandwidth each of `paths` paths must carry. */
export function bandwidthPerPathBps(requiredBps: number, paths: number): number {
  return requiredBps / paths;
}

/** Time (s) to send the changes over a link: 8·D / (B · efficiency), B = paths × path bandwidth. */
export function resyncSeconds(changedBytes: number, link: Link, p: LinkParams): number {
  return (8 * wireBytes(changedBytes, p)) / (link.paths * link.pathBps * p.efficiency);
}
