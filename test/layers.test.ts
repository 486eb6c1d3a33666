import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

/**
 * Layers point one way: cli -> render -> report -> store/collect -> readers -> sources, units,
 * bitmap. The library's high-level functions (api/) sit between the CLI and render. A folder may
 * import its own files and any folder of a lower level, never one of its own
 * level or above. The read side (report) and the write side (collect) are siblings: what both need
 * (the scope) lives below them. `live` is the collector of the kernel's trace: above collect,
 * below the CLI. Files at the top of src/ (errors, warnings, prng) are the shared bottom;
 * src/index.ts, the public API, sits on top of everything.
 */
const LEVELS: Record<string, number> = {
  'index.ts': 9,
  cli: 8,
  api: 7,
  render: 6,
  live: 5,
  report: 4,
  collect: 4,
  store: 3,
  scope: 3,
  readers: 2,
  sources: 1,
  units: 1,
  bitmap: 1,
  '': 0, // errors.ts, warnings.ts, prng.ts
};

/** The layer a path under src/ belongs to: its folder, or '' (or 'index.ts') for a top-level file. */
function layerOf(srcPath: string): string {
  const slash = srcPath.indexOf('/');
  if (slash >= 0) return srcPath.slice(0, slash);
  return srcPath === 'index.ts' ? 'index.ts' : '';
}

/** Relative specifiers of every static import, re-export and dynamic import in `text`. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

/** Every import against the order, as `from -> to` lines; files are keyed by path under src/. */
function offences(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    for (const spec of specifiersOf(text)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (target.startsWith('../')) {
        out.push(`${file} imports ${spec}: outside src/`);
        continue;
      }
      if (from === to) continue;
      const a = LEVELS[from];
      const b = LEVELS[to];
      if (a === undefined || b === undefined) {
        out.push(`${file} imports ${spec}: folder ${a === undefined ? from : to}/ has no level in the order`);
      } else if (b >= a) {
        out.push(`${file} (${from || 'src'}) imports ${spec} (${to || 'src'}): against the order`);
      }
    }
  }
  return out.sort();
}

function sourceFiles(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const [k, v] of sourceFiles(join(dir, entry.name), rel)) files.set(k, v);
    else if (entry.name.endsWith('.ts')) files.set(rel, readFileSync(join(dir, entry.name), 'utf8'));
  }
  return files;
}

test('the checker flags imports upward, between siblings and into unknown folders, and passes downward ones', () => {
  const files = new Map([
    ['cli/report.ts', "import { x } from '../report/churn.js';\nimport { y } from '../errors.js';"],
    ['store/merge.ts', "import { mergeProfiles } from '../collect/write-profile.js';"],
    ['report/churn.ts', "import {\n  groupsOfVolume,\n  type Scope,\n} from '../collect/scope.js';"],
    ['bitmap/union.ts', "export { a } from '../store/store.js';\nconst m = await import('../collect/run.js');"],
    ['units/time.ts', "import { b } from './bytes.js';\nimport type { Q } from '../extra/q.js';"],
    ['errors.ts', "import { c } from './units/time.js';"],
  ]);
  assert.deepEqual(offences(files), [
    'bitmap/union.ts (bitmap) imports ../collect/run.js (collect): against the order',
    'bitmap/union.ts (bitmap) imports ../store/store.js (store): against the order',
    'errors.ts (src) imports ./units/time.js (units): against the order',
    'report/churn.ts (report) imports ../collect/scope.js (collect): against the order',
    'store/merge.ts (store) imports ../collect/write-profile.js (collect): against the order',
    'units/time.ts imports ../extra/q.js: folder extra/ has no level in the order',
  ]);
});

test('src/ imports only downward (cli -> api -> render -> report -> store/collect -> readers -> units)', () => {
  const files = sourceFiles(join(ROOT, 'src'));
  assert.ok(files.size > 50, `read ${files.size} files under src/`);
  assert.deepEqual(offences(files), []);
});
