import { InputError } from '../errors.js';

const COMMA = 44;
const SPACE = 32;
const TAB = 9;
const MINUS = 45;
const DOT = 46;
const QUOTE = 34;

/**
 * A cursor over the delimited fields of one line held in a byte buffer. Numbers are parsed from
 * the bytes directly; strings are made only when a caller asks (volume names, error text).
 * `delimiter` is a byte, or -1 for runs of blanks (space/tab), as in blkparse or fiu.
 */
export class FieldCursor {
  bytes: Uint8Array = new Uint8Array(0);
  lineStart = 0;
  lineEnd = 0;
  /** Current field [start, end) — end exclusive. */
  start = 0;
  end = 0;
  #next = 0;
  line = 0;
  format = '';
  source = '';
  delimiter = COMMA;
  /** RFC 4180: a field starting with `"` runs to the closing `"` (`""` inside is one quote). */
  quotes = false;
  /** Whether the current field was quoted (start/end then exclude the quotes). */
  quoted = false;

  reset(bytes: Uint8Array, start: number, end: number, line: number): void {
    this.bytes = bytes;
    this.lineStart = start;
    this.lineEnd = end;
    this.#next = start;
    this.start = this.end = start;
    this.line = line;
  }

  /** Advance to the next field; `name` is used if it is missing. */
  field(name: string): this {
    const b = this.bytes;
    let p = this.#next;
    if (p > this.lineEnd) throw this.error(`missing field ${name}`);
    if (this.delimiter < 0) {
      while (p < this.lineEnd && (b[p] === SPACE || b[p] === TAB)) p++;
      if (p >= this.lineEnd) throw this.error(`missing field ${name}`);
      this.start = p;
      while (p < this.lineEnd && b[p] !== SPACE && b[p] !== TAB) p++;
    } else if (this.quotes && p < this.lineEnd && b[p] === QUOTE) {
      return this.#quotedField(name, p);
    } else {
      this.start = p;
      while (p < this.lineEnd && b[p] !== this.delimiter) p++;
    }
    this.quoted = false;
    this.end = p;
    this.#next = p + 1;
    return this;
  }

  #quotedField(name: string, open: number): this {
    const b = this.bytes;
    let p = open + 1;
    for (;;) {
      const q = b.indexOf(QUOTE, p);
      if (q < 0 || q >= this.lineEnd) {
        this.start = open;
        this.end = this.lineEnd;
        throw this.error(`${name}: quoted field has no closing quote on its line: ${excerptOf(b, open, this.lineEnd)}`);
      }
      if (q + 1 < this.lineEnd && b[q + 1] === QUOTE) {
        p = q + 2;
        continue;
      }
      this.start = open + 1;
      this.end = q;
      this.quoted = true;
      if (q + 1 < this.lineEnd && b[q + 1] !== this.delimiter && b[q + 1] !== 13) {
        throw this.error(`${name}: text after the closing quote: ${excerptOf(b, open, Math.min(this.lineEnd, q + 2))}`);
      }
      this.#next = q + 2;
      return this;
    }
  }

  /** True when fields remain after the current one. */
  hasMore(): boolean {
    if (this.delimiter >= 0) return this.#next <= this.lineEnd;
    for (let p = this.#next; p < this.lineEnd; p++) if (this.bytes[p] !== SPACE && this.bytes[p] !== TAB) return true;
    return false;
  }

  /** The current field as a non-negative integer (digits only, surrounding blanks allowed). */
  uint(name: string): number {
    const s = this.#trimmedStart(name);
    const e = this.#trimmedEnd;
    const b = this.bytes;
    let v = 0;
    for (let p = s; p < e; p++) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) {
        const problem = b[s] === MINUS ? 'is negative' : 'is not a whole number';
        throw this.error(`${name} ${problem}: "${this.excerpt()}"`);
      }
      v = v * 10 + d;
    }
    if (v > Number.MAX_SAFE_INTEGER) throw this.error(`${name} is too large: "${this.excerpt()}"`);
    return v;
  }

  /**
   * The current field as a non-negative decimal scaled by 10^digits and truncated to an integer,
   * exactly: `1.5` with digits 6 gives 1500000. Used for seconds → µs without float error.
   */
  scaled(name: string, digits: number): number {
    const s = this.#trimmedStart(name);
    const e = this.#trimmedEnd;
    const b = this.bytes;
    // Negative digits divide: the last -digits whole digits (and any fraction) are dropped, so
    // that ns since the epoch (~1.5e18, past 2^53) give exact µs.
    let keepEnd = e;
    if (digits < 0) {
      keepEnd = s;
      while (keepEnd < e && b[keepEnd] !== DOT) keepEnd++;
      keepEnd += digits;
      digits = 0;
    }
    let whole = 0;
    let frac = 0;
    let fracDigits = 0;
    let seenDot = false;
    let seenDigit = false;
    for (let p = s; p < e; p++) {
      const c = b[p]!;
      if (c === DOT && !seenDot) {
        seenDot = true;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) {
        throw this.error(`${name} ${b[s] === MINUS ? 'is negative' : 'is not a number'}: "${this.excerpt()}"`);
      }
      seenDigit = true;
      if (!seenDot) {
        if (p < keepEnd) whole = whole * 10 + d;
      } else if (fracDigits < digits) {
        frac = frac * 10 + d;
        fracDigits++;
      }
    }
    if (!seenDigit) throw this.error(`${name} is not a number: "${this.excerpt()}"`);
    let scale = 1;
    for (let i = 0; i < digits; i++) scale *= 10;
    let fracScale = 1;
    for (let i = fracDigits; i < digits; i++) fracScale *= 10;
    const v = whole * scale + frac * fracScale;
    if (v > Number.MAX_SAFE_INTEGER) throw this.error(`${name} is too large: "${this.excerpt()}"`);
    return v;
  }

  #trimmedEnd = 0;

  /** Start of the current field without surrounding blanks (end in #trimmedEnd); empty fails. */
  #trimmedStart(name: string): number {
    let s = this.start;
    let e = this.end;
    const b = this.bytes;
    while (s < e && b[s] === SPACE) s++;
    while (e > s && (b[e - 1] === SPACE || b[e - 1] === 13)) e--;
    if (s === e) throw this.error(`${name} is empty`);
    this.#trimmedEnd = e;
    return s;
  }

  /** The current field as a hexadecimal integer (optional 0x prefix). */
  hex(name: string): number {
    let s = this.start;
    const e = this.end;
    const b = this.bytes;
    if (e - s > 2 && b[s] === 48 && (b[s + 1] === 120 || b[s + 1] === 88)) s += 2;
    if (s === e) throw this.error(`${name} is empty`);
    let v = 0;
    for (let p = s; p < e; p++) {
      const c = b[p]! | 0x20; // lower-case letters
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) throw this.error(`${name} is not hexadecimal: "${this.excerpt()}"`);
      v = v * 16 + d;
    }
    return v;
  }

  /** Compare the current field with an ASCII word, ignoring case. */
  is(word: string): boolean {
    const len = this.end - this.start;
    if (len !== word.length) return false;
    for (let i = 0; i < len; i++) {
      if ((this.bytes[this.start + i]! | 0x20) !== (word.charCodeAt(i) | 0x20)) return false;
    }
    return true;
  }

  /**
   * The error for a volume name (the current field) holding U+0000, which VolumeSpanCache refuses:
   * no real volume name holds it and PostgreSQL text cannot, so every store gets the same answer.
   */
  nulError(name: string): InputError {
    return this.error(`${name} holds a NUL byte: "${this.excerpt()}"`);
  }

  /** The current field as a string (allocates: not for per-record use). */
  text(): string {
    let e = this.end;
    if (e > this.start && this.bytes[e - 1] === 13) e--;
    return utf8(this.bytes, this.start, e);
  }

  /**
   * The current field for an error message: at most EXCERPT_CHARS characters, then `…`, so a
   * huge field never makes a huge message.
   */
  excerpt(): string {
    let e = this.end;
    if (e > this.start && this.bytes[e - 1] === 13) e--;
    return excerptOf(this.bytes, this.start, e);
  }

  /** An InputError naming format, file, line and the problem. */
  error(problem: string): InputError {
    return new InputError(`${this.format}: ${this.source}:${this.line}: ${problem}`, { line: this.line });
  }
}

/** Characters of a field quoted in an error message before it is cut with `…`. */
export const EXCERPT_CHARS = 40;

/**
 * bytes[start, end) decoded as UTF-8 for a message: cut to EXCERPT_CHARS bytes and `…` when longer,
 * control characters shown as `\xNN`.
 */
export function excerptOf(bytes: Uint8Array, start: number, end: number): string {
  const cut = end - start > EXCERPT_CHARS;
  const text = utf8(bytes, start, cut ? start + EXCERPT_CHARS : end).replace(
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return cut ? `${text}…` : text;
}

const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * bytes[start, end) decoded as UTF-8: names in traces are written as they appear (`café`). Bytes
 * that are not valid UTF-8 each become U+FFFD (the WHATWG decoder's replacement). All-ASCII bytes,
 * the usual case, are read byte by byte without the decoder.
 */
export function utf8(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return UTF8.decode(bytes.subarray(start, end));
  return latin1(bytes, start, end);
}

/** bytes[start, end) one character per byte: for ASCII patterns (sniffing, keywords), not names. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Index of the ASCII `pattern` in bytes[from, to), or -1. */
export function indexOfBytes(bytes: Uint8Array, pattern: Uint8Array, from: number, to: number): number {
  const first = pattern[0]!;
  const last = to - pattern.length;
  outer: for (let i = bytes.indexOf(first, from); i >= 0 && i <= last; i = bytes.indexOf(first, i + 1)) {
    for (let j = 1; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
