import type { Link } from '../units/bandwidth.js';
import { bandwidthPerPathBps, pathsNeeded, requiredBandwidthBps, resyncSeconds, type LinkParams } from './link.js';

/** What the user asked the link math for; every part optional. */
export interface SizingRequest {
  /** Time allowed to send the changes (--resync). */
  resyncS: number | null;
  /** Bandwidth of one path (--path): gives the number of paths. */
  pathBps: number | null;
  /** An existing link (--link): gives the resync time. */
  link: Link | null;
  params: LinkParams;
}

/** Link figures for one report row; a field is present only when its input was given. */
export interface Sizing {
  requiredBandwidthBps?: number;
  /** The bandwidth of one path, as given (--path). */
  pathBps?: number;
  /** Whole paths of `pathBps` that carry the required bandwidth. */
  paths?: number;
  /** The required bandwidth shared evenly over `paths`: what each path must really carry. */
  requiredPerPathBps?: number;
  resyncSeconds?: number;
}

/** Apply the link formulas to the changed bytes of one row. */
export function sizeLink(changedBytes: number, request: SizingRequest): Sizing {
  const out: Sizing = {};
  if (request.resyncS !== null) {
    out.requiredBandwidthBps = requiredBandwidthBps(changedBytes, request.resyncS, request.params);
    if (request.pathBps !== null) {
      out.pathBps = request.pathBps;
      out.paths = pathsNeeded(out.requiredBandwidthBps, request.pathBps);
      out.requiredPerPathBps = bandwidthPerPathBps(out.requiredBandwidthBps, out.paths);
    }
  }
  if (request.link !== null) out.resyncSeconds = resyncSeconds(changedBytes, request.link, request.params);
  return out;
}
