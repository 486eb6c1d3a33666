/**
 * How many terminal columns text takes, so that tables stay aligned around names such as `日本`:
 * counted per code point (not UTF-16 unit), East Asian Wide and Fullwidth characters take 2,
 * combining marks and zero-width characters 0, everything else 1. Text is measured after it is
 * escaped for the terminal (escape.ts), so no control character reaches here.
 */

/** [first, last] code points taking 2 columns (East Asian Wide and Fullwidth), sorted. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3040, 0xa4cf], // kana, bopomofo, Hangul compatibility jamo, CJK, Yi (U+303F is narrow)
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x1f300, 0x1f64f], // pictographs, emoticons
  [0x1f900, 0x1f9ff], // supplemental symbols and pictographs
  [0x20000, 0x3fffd], // CJK extensions B and later
];

/** [first, last] code points taking no column: combining marks, zero-width characters. */
const ZERO: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f], // combining diacritical marks (e + U+0301 is one column, as é)
  [0x1ab0, 0x1aff], // combining diacritical marks extended
  [0x1dc0, 0x1dff], // combining diacritical marks supplement
  [0x200b, 0x200f], // zero width space, non-joiner, joiner; left-to-right and right-to-left marks
  [0x20d0, 0x20ff], // combining marks for symbols
  [0xfe00, 0xfe0f], // variation selectors
  [0xfe20, 0xfe2f], // combining half marks
];

/** Text that is printable ASCII only: one column per character. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function within(ranges: readonly (readonly [number, number])[], code: number): boolean {
  for (const [first, last] of ranges) {
    if (code < first) return false;
    if (code <= last) return true;
  }
  return false;
}

/** Columns a terminal gives `text` (one line, already escaped for the terminal). */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let columns = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code < 0x300) columns += 1;
    else if (within(ZERO, code)) continue;
    else columns += within(WIDE, code) ? 2 : 1;
  }
  return columns;
}

/** `text` padded with spaces to `columns` display columns, after it (`left`) or before it. */
export function padToWidth(text: string, columns: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, columns - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}
