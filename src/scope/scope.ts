import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';
import { parseBytes } from '../units/bytes.js';
import type { CsvMappingInput } from '../readers/csv-mapping.js';

/** A byte range of a volume that belongs to a data set. */
export interface Extent {
  volume: string;
  offsetBytes: number;
  lengthBytes: number;
}

export interface ScopeVolume {
  name: string; // exact name or a glob with * and ?
  capacityBytes: number | null;
}

export interface Scope {
  /** Monitored volumes; null means every volume in the input. */
  volumes: ScopeVolume[] | null;
  /** Volumes replicated together over one link (controllers, consistency groups). */
  groups: { name: string; volumes: string[] }[];
  datasets: { name: string; extents: Extent[] }[];
  /** Column mapping for the generic csv reader. */
  csv?: CsvMappingInput;
}

export const EMPTY_SCOPE: Scope = { volumes: null, groups: [], datasets: [] };

/**
 * Parse a scope file (YAML or JSON):
 * ```yaml
 * volumes: [{ name: prxy_0, capacity: 100GiB, group: ctrl-a }]   # omit to monitor all
 * groups:  [{ name: ctrl-b, volumes: [web_*, src1_2] }]
 * datasets: [{ name: db, extents: [{ volume: prxy_0, offset: 0, length: 10GiB }] }]
 * csv: { columns: "time=time:s,offset=lbn:sector,length=size:B,op=op" }
 * ```
 * A volume's `group:` and a group's `volumes:` both assign membership; names may be globs.
 */
export function parseScope(text: string, file: string): Scope {
  let doc: unknown;
  try {
    // yaml is loaded when a scope file is read, not by every collect and decoding thread (~0.1 s each).
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`scope: ${file}: not valid YAML/JSON: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return { ...EMPTY_SCOPE };
  const root = record(doc, `scope: ${file}`);
  for (const key of Object.keys(root)) {
    if (!['volumes', 'groups', 'datasets', 'csv'].includes(key))
      throw new UsageError(`scope: ${file}: unknown key "${key}" (known: volumes, groups, datasets, csv)`);
  }
  const groups = new Map<string, string[]>();
  let volumes: ScopeVolume[] | null = null;
  if (root.volumes !== undefined) {
    volumes = list(root.volumes, `scope: ${file}: volumes`).map((item, i) => {
      const where = `scope: ${file}: volumes[${i}]`;
      const v = typeof item === 'string' ? { name: item } : record(item, where);
      const name = text_(v.name, `${where}.name`);
      if (v.group !== undefined) {
        const group = text_(v.group, `${where}.group`);
        groups.set(group, [...(groups.get(group) ?? []), name]);
      }
      const capacityBytes = v.capacity === undefined ? null : size(v.capacity, `${where}.capacity`);
      if (capacityBytes === 0) throw new UsageError(`${where}.capacity must be above 0`);
      return { name, capacityBytes };
    });
  }
  if (root.groups !== undefined) {
    list(root.groups, `scope: ${file}: groups`).forEach((item, i) => {
      const where = `scope: ${file}: groups[${i}]`;
      const g = record(item, where);
      const name = text_(g.name, `${where}.name`);
      const members = list(g.volumes, `${where}.volumes`).map((m, j) => text_(m, `${where}.volumes[${j}]`));
      groups.set(name, [...(groups.get(name) ?? []), ...members]);
    });
  }
  const datasets =
    root.datasets === undefined
      ? []
      : list(root.datasets, `scope: ${file}: datasets`).map((item, i) => {
          const where = `scope: ${file}: datasets[${i}]`;
          const d = record(item, where);
          const name = text_(d.name, `${where}.name`);
          const extents = list(d.extents, `${where}.extents`).map((e, j) => {
            const at = `${where}.extents[${j}]`;
            const x = record(e, at);
            const lengthBytes = size(x.length, `${at}.length`);
            if (lengthBytes <= 0) throw new UsageError(`${at}.length must be positive`);
            const offsetBytes = size(x.offset ?? 0, `${at}.offset`);
            if (offsetBytes + lengthBytes > Number.MAX_SAFE_INTEGER)
              throw new UsageError(`${at} ends past 8 PiB (2^53 bytes)`);
            return { volume: text_(x.volume, `${at}.volume`), offsetBytes, lengthBytes };
          });
          return { name, extents };
        });
  const names = new Set<string>();
  for (const d of datasets) {
    if (names.has(d.name)) throw new UsageError(`scope: ${file}: data set "${d.name}" is declared twice`);
    names.add(d.name);
  }
  const scope: Scope = { volumes, groups: [...groups].map(([name, vols]) => ({ name, volumes: vols })), datasets };
  if (root.csv !== undefined) scope.csv = record(root.csv, `scope: ${file}: csv`) as CsvMappingInput;
  return scope;
}

/** Whether `volume` is monitored under `scope`. */
export function scopeIncludes(scope: Scope, volume: string): boolean {
  return scope.volumes === null || scope.volumes.some((v) => globMatch(v.name, volume));
}

/** Capacity declared for a volume, if any. */
export function capacityOf(scope: Scope, volume: string): number | null {
  for (const v of scope.volumes ?? [])
    if (v.capacityBytes !== null && globMatch(v.name, volume)) return v.capacityBytes;
  return null;
}

/** Names of the groups a volume belongs to. */
export function groupsOfVolume(scope: Scope, volume: string): string[] {
  return scope.groups.filter((g) => g.volumes.some((p) => globMatch(p, volume))).map((g) => g.name);
}

/** Match a volume name against a pattern with `*` (any run) and `?` (one character). */
export function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  // `s`: `.` also matches CR, LF and other line terminators, which names may hold; `u`: one `?`
  // is one character, also outside the Basic Multilingual Plane.
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'su',
  );
  return re.test(name);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UsageError(`${where} must be a list`);
  return value;
}

function text_(value: unknown, where: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') throw new UsageError(`${where} must be a non-empty string`);
  return value;
}

function size(value: unknown, where: string): number {
  if (typeof value !== 'number' && typeof value !== 'string')
    throw new UsageError(`${where} must be a size such as 10GiB`);
  const bytes = parseBytes(value, where);
  // Beyond 2^53 a byte count is no longer exact (and no volume is that large).
  if (bytes > Number.MAX_SAFE_INTEGER) throw new UsageError(`${where} is over 8 PiB (2^53 bytes): ${value}`);
  return bytes;
}
