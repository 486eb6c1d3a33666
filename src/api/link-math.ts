import * as link from '../report/link.js';
import type { LinkParams } from '../report/link.js';
import { sizeLink as sizeRow, type Sizing, type SizingRequest } from '../report/sizing.js';
import type { Link } from '../units/bandwidth.js';
import { checkLink, checkParams } from './check-options.js';
import { numberAtLeast, object, optional, positiveNumber } from './validate.js';

// The link formulas as the library exports them: the same math as report/link.ts, with its
// parameters checked (a negative time or a path of 0 bit/s is a UsageError, not a negative figure).

/** Bandwidth (bit/s) needed to send `changedBytes` within `resyncS`: 8·D / (R · efficiency). */
export function requiredBandwidthBps(changedBytes: number, resyncS: number, params: LinkParams): number {
  numberAtLeast('changedBytes', changedBytes, 0);
  positiveNumber('resyncS', resyncS);
  checkParams('params', params, false);
  return link.requiredBandwidthBps(changedBytes, resyncS, params);
}

/** Parallel paths of `pathBps` each to reach `requiredBps`: ceil(required / pathBps), at least 1. */
export function pathsNeeded(requiredBps: number, pathBps: number): number {
  numberAtLeast('requiredBps', requiredBps, 0);
  positiveNumber('pathBps', pathBps);
  return link.pathsNeeded(requiredBps, pathBps);
}

/** Time (s) to send `changedBytes` over `linkSpec`: 8·D / (paths · pathBps · efficiency). */
export function resyncSeconds(changedBytes: number, linkSpec: Link, params: LinkParams): number {
  numberAtLeast('changedBytes', changedBytes, 0);
  checkLink('link', linkSpec);
  checkParams('params', params, false);
  return link.resyncSeconds(changedBytes, linkSpec, params);
}

/** The link figures of `changedBytes` for a sizing request (a churn report row's sizing). */
export function sizeLink(changedBytes: number, request: SizingRequest): Sizing {
  numberAtLeast('changedBytes', changedBytes, 0);
  const r = object('request', request);
  checkParams('request.params', r.params, false);
  optional(r.resyncS, (v) => positiveNumber('request.resyncS', v));
  optional(r.pathBps, (v) => positiveNumber('request.pathBps', v));
  optional(r.link, (v) => checkLink('request.link', v));
  return sizeRow(changedBytes, request);
}
