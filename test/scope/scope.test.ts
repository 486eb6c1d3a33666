import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { capacityOf, globMatch, groupsOfVolume, parseScope, scopeIncludes } from '../../src/scope/scope.js';
import { ROOT } from '../helpers.js';

test('scope: YAML with volumes, groups (both ways), data sets and sizes', () => {
  const scope = parseScope(
    `
volumes:
  - { name: sda, capacity: 10GiB, group: ctrl-a }
  - web_*
groups:
  - { name: ctrl-b, volumes: [web_*] }
datasets:
  - name: db
    extents: [{ volume: sda, offset: 1GiB, length: 512MiB }]
csv: { columns: "time=1:s,offset=2:B,length=3:B" }
`,
    'scope.yaml',
  );
  assert.deepEqual(scope, {
    volumes: [
      { name: 'sda', capacityBytes: 10 * 2 ** 30 },
      { name: 'web_*', capacityBytes: null },
    ],
    groups: [
      { name: 'ctrl-a', volumes: ['sda'] },
      { name: 'ctrl-b', volumes: ['web_*'] },
    ],
    datasets: [{ name: 'db', extents: [{ volume: 'sda', offsetBytes: 2 ** 30, lengthBytes: 2 ** 29 }] }],
    csv: { columns: 'time=1:s,offset=2:B,length=3:B' },
  });
  assert.equal(scopeIncludes(scope, 'web_3'), true);
  assert.equal(scopeIncludes(scope, 'sdb'), false);
  assert.equal(capacityOf(scope, 'sda'), 10 * 2 ** 30);
  assert.deepEqual(groupsOfVolume(scope, 'web_1'), ['ctrl-b']);
});

test('scope: JSON works too; an empty file monitors everything', () => {
  assert.deepEqual(parseScope('{"groups":[{"name":"g","volumes":["a"]}]}', 's.json').groups, [
    { name: 'g', volumes: ['a'] },
  ]);
  assert.equal(scopeIncludes(parseScope('', 'empty.yaml'), 'anything'), true);
});

test('scope: mistakes are named by file and path', () => {
  assert.throws(() => parseScope('volumes: 3', 'x.yaml'), /^UsageError: scope: x.yaml: volumes must be a list$/);
  assert.throws(
    () => parseScope('datasets: [{ name: d, extents: [{ volume: v, length: lots }] }]', 'x.yaml'),
    /scope: x.yaml: datasets\[0\].extents\[0\].length is not a size/,
  );
  assert.throws(() => parseScope('colour: blue', 'x.yaml'), /unknown key "colour"/);
  assert.throws(
    () => parseScope('datasets: [{name: d, extents: []}, {name: d, extents: []}]', 'x.yaml'),
    /data set "d" is declared twice/,
  );
  assert.throws(() => parseScope('volumes: [', 'x.yaml'), /not valid YAML\/JSON/);
});

test('glob patterns', () => {
  assert.equal(globMatch('web_*', 'web_12'), true);
  assert.equal(globMatch('web_?', 'web_12'), false);
  assert.equal(globMatch('a.b', 'axb'), false);
});

test('the shipped sample scope parses', () => {
  const scope = parseScope(readFileSync(join(ROOT, 'samples', 'scope.yaml'), 'utf8'), 'samples/scope.yaml');
  assert.deepEqual(
    scope.groups.map((g) => g.name),
    ['array-a', 'array-b'],
  );
  assert.deepEqual(
    scope.datasets.map((d) => d.name),
    ['oltp-db', 'redo-log'],
  );
});

test('glob patterns match names holding CR, LF and other line terminators', () => {
  assert.equal(globMatch('web*', 'web\nx'), true);
  assert.equal(globMatch('web*', 'web\r\n'), true);
  assert.equal(globMatch('a?b', 'a\nb'), true);
  assert.equal(globMatch('a?b', 'a\u2028b'), true);
  assert.equal(globMatch('*', '\n'), true);
  assert.equal(globMatch('a?b', 'a\n\nb'), false);
  // One character, also outside the Basic Multilingual Plane.
  assert.equal(globMatch('v?', 'v\u{1F600}'), true);
});

test('scope: a capacity of 0 and sizes past 2^53 bytes are refused, naming the field', () => {
  assert.throws(
    () => parseScope('volumes: [{ name: a, capacity: 0 }]', 'x.yaml'),
    /^UsageError: scope: x.yaml: volumes\[0\]\.capacity must be above 0$/,
  );
  assert.throws(
    () => parseScope('volumes: [{ name: a, capacity: 99999999999999999999999PiB }]', 'x.yaml'),
    /^UsageError: scope: x.yaml: volumes\[0\]\.capacity is over 8 PiB \(2\^53 bytes\): 99999999999999999999999PiB$/,
  );
  assert.throws(
    () => parseScope('datasets: [{ name: d, extents: [{ volume: a, offset: 18446744073709551616, length: 1 }] }]', 'x'),
    /^UsageError: scope: x: datasets\[0\]\.extents\[0\]\.offset is over 8 PiB \(2\^53 bytes\): 18446744073709552000$/,
  );
  assert.throws(
    () => parseScope('datasets: [{ name: d, extents: [{ volume: a, offset: 7PiB, length: 2PiB }] }]', 'x'),
    /^UsageError: scope: x: datasets\[0\]\.extents\[0\] ends past 8 PiB \(2\^53 bytes\)$/,
  );
  // The largest exact sizes are still taken.
  const ok = parseScope('volumes: [{ name: a, capacity: 4PiB }]', 'x');
  assert.equal(ok.volumes![0]!.capacityBytes, 4 * 2 ** 50);
});
