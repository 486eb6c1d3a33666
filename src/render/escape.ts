/**
 * Names in traces and scope files come from other people: a volume called `\x1b[2J` would clear
 * the terminal of whoever prints a report, one called `=HYPERLINK(...)` would run as a formula in
 * the spreadsheet that opens the CSV, one holding a BEL or `<` would make the SVG malformed. Each
 * output escapes them its own way, here, in one place.
 */

/**
 * Characters a terminal acts on or reorders: C0 controls (TAB, LF and CR included: a name must
 * not break a table's line), DEL, C1 controls, and the Unicode bidi embeddings, overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069) that can make text read in another order than stored.
 */
const TERMINAL_UNSAFE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const hex = (code: number, digits: number): string => code.toString(16).padStart(digits, '0');

/**
 * Text safe to print on a terminal: each unsafe character becomes a visible escape, `\x1b` for
 * ESC, `\x85` for a C1 NEL, `\u202e` for RIGHT-TO-LEFT OVERRIDE. Everything else is unchanged
 * (backslashes too, so file paths stay readable).
 */
export function escapeTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/**
 * Characters replaced by U+FFFD in XML: those XML 1.0 forbids (C0 controls other than TAB, LF
 * and CR; lone surrogates; U+FFFE and U+FFFF) and those it discourages or that reorder text
 * (DEL, C1 controls, bidi embeddings, overrides and isolates).
 */
const XML_UNSAFE = new RegExp(
  [
    '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff]',
    '[\\ud800-\\udbff](?![\\udc00-\\udfff])', // a high surrogate without its low half
    '(?<![\\ud800-\\udbff])[\\udc00-\\udfff]', // a low surrogate without its high half
  ].join('|'),
  'g',
);

const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for XML, SVG and HTML, in element content and in quoted attribute values alike: the five
 * markup characters become entities, unsafe characters become U+FFFD (the replacement character).
 */
export function escapeXml(text: string): string {
  return text.replace(XML_UNSAFE, '\ufffd').replace(/[&<>"']/g, (c) => XML_ENTITY[c]!);
}

/**
 * A text field that a spreadsheet would read as a formula (OWASP "CSV injection": it starts with
 * `=`, `+`, `-`, `@`, TAB or CR) gets a leading `'`, which spreadsheets show as text. Numbers are
 * never passed here: a -5 in a numeric column stays a number.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
