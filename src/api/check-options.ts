import { UsageError } from '../errors.js';
import type { Link } from '../units/bandwidth.js';
import type { TimeRange } from '../units/time.js';
import {
  finiteNumber,
  numberAboveUpTo,
  numberAtLeast,
  object,
  optional,
  positiveNumber,
  shown,
  text,
  textList,
  wholeNumber,
} from './validate.js';

// The checks of the option groups several API functions share, built on validate.ts.

/** The options argument: an object, or absent. */
export function checkOptions(value: unknown): Record<string, unknown> {
  return value === undefined ? {} : object('options', value);
}

/** Link parameters, all fields optional (`params` of the options) or all required (the link math). */
export function checkParams(name: string, value: unknown, partial: boolean): void {
  if (partial && value === undefined) return;
  const p = object(name, value);
  const field = <T>(key: string, check: (n: string, v: unknown) => T): void => {
    if (partial && p[key] === undefined) return;
    check(`${name}.${key}`, p[key]);
  };
  field('overhead', (n, v) => numberAtLeast(n, v, 0));
  field('compression', (n, v) => numberAtLeast(n, v, 1));
  field('efficiency', (n, v) => numberAboveUpTo(n, v, 0, 1));
  if (p.growth !== undefined) numberAtLeast(`${name}.growth`, p.growth, 0);
}

/** A link: whole paths >= 1 of `pathBps` > 0 each. */
export function checkLink(name: string, value: unknown): Link {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${name} must be an object { paths, pathBps }; got ${shown(value)}`);
  }
  const link = value as Record<string, unknown>;
  wholeNumber(`${name}.paths`, link.paths, 1);
  positiveNumber(`${name}.pathBps`, link.pathBps);
  return value as Link;
}

/** A time range [fromS, toS): numbers, toS after fromS. */
export function checkRange(name: string, value: unknown): TimeRange {
  const range = object(name, value);
  const fromS = finiteNumber(`${name}.fromS`, range.fromS);
  const toS = range.toS;
  if (typeof toS !== 'number' || !Number.isFinite(toS) || !(toS > fromS)) {
    throw new UsageError(`${name}.toS must be a number above ${name}.fromS (${fromS}); got ${shown(toS)}`);
  }
  return value as TimeRange;
}

/** The selection fields: window, group, exclude, scope. */
export function checkSelection(o: Record<string, unknown>): void {
  optional(o.window, (v) => checkRange('window', v));
  optional(o.group, (v) => text('group', v));
  optional(o.exclude, (v) => textList('exclude', v), false);
  optional(o.scope, (v) => object('scope', v), false);
}

/** The link options of sizing: params, resyncS, pathBps, link. */
export function checkLinkOptions(o: Record<string, unknown>): void {
  checkParams('params', o.params, true);
  optional(o.resyncS, (v) => positiveNumber('resyncS', v));
  optional(o.pathBps, (v) => positiveNumber('pathBps', v));
  optional(o.link, (v) => checkLink('link', v));
}

/** The options of every planning function: the selection, params and cycleS. */
export function checkPlanning(o: Record<string, unknown>): void {
  checkSelection(o);
  checkParams('params', o.params, true);
  optional(o.cycleS, (v) => positiveNumber('cycleS', v), false);
}

/** A percentile in (0, 100]. */
export function checkPercentile(value: unknown, nullable: boolean): void {
  optional(value, (v) => numberAboveUpTo('percentile', v, 0, 100), nullable);
}
