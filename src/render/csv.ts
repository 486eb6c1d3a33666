import { neutralizeFormula } from './escape.js';

export type CsvValue = string | number | null | undefined;

/**
 * RFC 4180 CSV: a header line, then one line per row; null and undefined are empty fields. Text
 * fields that a spreadsheet would take for a formula get a leading `'` (OWASP); a field holding a
 * comma, a double quote, CR or LF is quoted, its double quotes doubled. Numbers stay numbers.
 */
export function renderCsv(header: readonly string[], rows: readonly CsvValue[][]): string {
  const cell = (v: CsvValue): string => {
    if (v === null || v === undefined) return '';
    return typeof v === 'number' ? numberText(v) : quote(neutralizeFormula(v));
  };
  return [header.map(quote).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Integers as they are; fractions rounded to 6 significant decimals, no exponent for normal sizes. */
function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(6)));
}
