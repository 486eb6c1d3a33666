import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from '../../src/render/table.js';
import { displayWidth } from '../../src/render/width.js';

/**
 * Table columns are as wide as a terminal shows their text: wide CJK characters and emoji take 2
 * columns, a combining mark none, and a character outside the BMP (two UTF-16 units) one or two
 * as it shows, never as its UTF-16 length says. Expected lines are written out by hand.
 */
interface Row {
  name: string;
  tracks: string;
}

const COLUMNS = [
  { header: 'name', align: 'left' as const, value: (r: Row) => r.name },
  { header: 'tracks', value: (r: Row) => r.tracks },
];

test('table: wide, combining and astral characters align by display columns', () => {
  const rows: Row[] = [
    { name: '日本語', tracks: '1' }, // 3 wide characters: 6 columns, the widest name
    { name: '\u00e9', tracks: '22' }, // é precomposed: 1
    { name: 'e\u0301', tracks: '333' }, // e + COMBINING ACUTE ACCENT: 1
    { name: '\u{1f600}', tracks: '4' }, // 😀 (two UTF-16 units): 2
    { name: '\u{1d49c}', tracks: '\uff11\uff12' }, // 𝒜 (two UTF-16 units): 1; fullwidth １２: 4
  ];
  const footer: Row[] = [{ name: '日本', tracks: '360' }];
  assert.equal(
    renderTable(rows, COLUMNS, footer),
    [
      'name    tracks',
      '------  ------',
      '日本語       1',
      'é           22',
      'e\u0301          333',
      '\u{1f600}           4',
      '\u{1d49c}         １２',
      '------  ------',
      '日本       360',
      '',
    ].join('\n'),
  );
});

test('table: a wide header widens its column', () => {
  const rows: Row[] = [{ name: 'a', tracks: '1' }];
  const columns = [{ header: '名前', align: 'left' as const, value: (r: Row) => r.name }, COLUMNS[1]!];
  assert.equal(renderTable(rows, columns), ['名前  tracks', '----  ------', 'a          1', ''].join('\n'));
});

test('displayWidth: per code point, wide 2, combining and zero-width 0', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['abc', 3],
    ['日本', 4],
    ['e\u0301', 1],
    ['\u00e9', 1],
    ['a\u200bb', 2], // ZERO WIDTH SPACE
    ['\u303f', 1], // IDEOGRAPHIC HALF FILL SPACE: narrow inside the wide CJK block
    ['\u3000', 2], // IDEOGRAPHIC SPACE
    ['\uac00', 2], // Hangul syllable GA
    ['\u1100', 2], // Hangul choseong KIYEOK
    ['\uff21', 2], // FULLWIDTH LATIN CAPITAL A
    ['\uff61', 1], // HALFWIDTH IDEOGRAPHIC FULL STOP
    ['\u{1f600}', 2],
    ['\u{1f9d0}', 2],
    ['\u{1f680}', 1], // outside the ranges counted wide
    ['\u{20000}', 2], // CJK extension B
    ['\u{1d49c}', 1],
    ['\\x1b[2J', 7], // an escaped ESC is measured as printed
  ];
  for (const [text, columns] of cases) assert.equal(displayWidth(text), columns, JSON.stringify(text));
});
