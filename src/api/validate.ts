import { UsageError } from '../errors.js';

// Checks of library parameters at the API entry points. Each names the parameter and shows the bad
// value, as the caller wrote it: `resyncS must be a number above 0; got -5`, `by must be one of
// volume, group, dataset; got "bogus"`. The CLI maps parameter names to its flags.

/** A value as the caller wrote it: strings quoted, objects as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function refuse(name: string, what: string, value: unknown): never {
  throw new UsageError(`${name} must be ${what}; got ${shown(value)}`);
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A finite number. */
export function finiteNumber(name: string, value: unknown): number {
  if (!isNumber(value)) refuse(name, 'a number', value);
  return value;
}

/** A finite number above 0. */
export function positiveNumber(name: string, value: unknown): number {
  if (!isNumber(value) || !(value > 0)) refuse(name, 'a number above 0', value);
  return value;
}

/** A finite number at least `min`. */
export function numberAtLeast(name: string, value: unknown, min: number): number {
  if (!isNumber(value) || !(value >= min)) refuse(name, `a number >= ${min}`, value);
  return value;
}

/** A finite number in (low, high]. */
export function numberAboveUpTo(name: string, value: unknown, low: number, high: number): number {
  if (!isNumber(value) || !(value > low && value <= high)) refuse(name, `a number in (${low}, ${high}]`, value);
  return value;
}

/** A whole number at least `min`. */
export function wholeNumber(name: string, value: unknown, min: number): number {
  if (!isNumber(value) || !Number.isInteger(value) || value < min) refuse(name, `a whole number >= ${min}`, value);
  return value;
}

/** One of `allowed`. */
export function oneOf<T extends string | boolean>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) refuse(name, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** A string. */
export function text(name: string, value: unknown): string {
  if (typeof value !== 'string') refuse(name, 'a string', value);
  return value;
}

/** An array. */
export function list(name: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) refuse(name, 'an array', value);
  return value as unknown[];
}

/** An array of strings. */
export function textList(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) refuse(name, 'an array of strings', value);
  return value as string[];
}

/** A plain object (the options of a function, a link, a time range). */
export function object(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(name, 'an object', value);
  return value as Record<string, unknown>;
}

/** Apply `check` unless the value is absent (undefined, or null when `nullable`). */
export function optional<T>(value: unknown, check: (value: unknown) => T, nullable = true): T | undefined {
  if (value === undefined || (nullable && value === null)) return undefined;
  return check(value);
}
