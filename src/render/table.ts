import { escapeTerminal } from './escape.js';
import { displayWidth, padToWidth } from './width.js';

/** A column of an aligned text table. */
export interface Column<T> {
  header: string;
  /** Numbers align right, text left (default right). */
  align?: 'left' | 'right';
  value: (row: T) => string;
}

/**
 * Render rows as an aligned plain-text table with a header rule; optional footer rows. Cells are
 * escaped for the terminal (control and bidi characters shown as `\x1b`, `\u202e`), then aligned
 * by the columns a terminal gives them (wide CJK characters 2, combining marks 0).
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], footer: readonly T[] = []): string {
  const body = rows.map((r) => columns.map((c) => escapeTerminal(c.value(r))));
  const foot = footer.map((r) => columns.map((c) => escapeTerminal(c.value(r))));
  // Widths in display columns (width.ts): `日本` takes 4, `é` 1 whether precomposed or not.
  const widths = columns.map((c) => displayWidth(c.header));
  for (const cells of [body, foot]) {
    for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i]!, displayWidth(cell))));
  }
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => padToWidth(cell, widths[i]!, columns[i]!.align ?? 'right'))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(columns.map((c) => c.header)), rule, ...body.map(line)];
  if (foot.length > 0) out.push(rule, ...foot.map(line));
  return out.join('\n') + '\n';
}

/** Integer with thousands separators: 2,408,565,760. */
export function formatCount(n: number | null): string {
  if (n === null) return '-';
  const sign = n < 0 ? '-' : '';
  const digits = Math.round(Math.abs(n)).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Fixed decimals, or '-' for null. */
export function formatFixed(n: number | null | undefined, decimals: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(decimals);
}
