export type CsvValue = string | number | null | undefined;

/** RFC 4180 CSV: a header line, then one line per row; null and undefined are empty fields. */
export function renderCsv(header: readonly string[], rows: readonly CsvValue[][]): string {
  const cell = (v: CsvValue): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? numberText(v) : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** Integers as they are; fractions rounded to 6 significant decimals, no exponent for normal sizes. */
function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(6)));
}
