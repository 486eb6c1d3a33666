/**
 * One-dimensional arrays in PostgreSQL's binary format (what `array_recv` reads), passed as a
 * Buffer parameter: node-postgres sends a Buffer as a binary value, so a `$n::bytea[]` of many
 * chunks costs the server a length-prefixed copy instead of parsing a text array of hex strings
 * (the text form doubled the bytes sent and was a third of the server's CPU when collecting).
 * The parameter's SQL cast must name the same element type as the array. (Results stay text:
 * node-postgres 8 decodes every result value as UTF-8, which would corrupt binary bytea.)
 */

const INT4_OID = 23;
const INT8_OID = 20;
const BYTEA_OID = 17;
/** ndim, flags (no nulls), element type; then the one dimension's length and lower bound. */
const HEADER_BYTES = 20;

function header(elementOid: number, length: number, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(length === 0 ? 12 : HEADER_BYTES + bytes);
  buf.writeInt32BE(length === 0 ? 0 : 1, 0);
  buf.writeInt32BE(0, 4);
  buf.writeUInt32BE(elementOid, 8);
  if (length > 0) {
    buf.writeInt32BE(length, 12);
    buf.writeInt32BE(1, 16);
  }
  return buf;
}

/** An `int[]` (int4) of integers in [-2^31, 2^31). */
export function int4Array(values: readonly number[]): Buffer {
  const buf = header(INT4_OID, values.length, values.length * 8);
  let p = HEADER_BYTES;
  for (const v of values) {
    buf.writeInt32BE(4, p);
    buf.writeInt32BE(v, p + 4);
    p += 8;
  }
  return buf;
}

/**
 * A `bigint[]` (int8) of whole numbers in (-2^63, 2^63), negative ones included. Past 2^53 they
 * are the doubles the counters hold (e.g. an interval's written bytes summed past 8 PiB), stored
 * exactly as the SQLite store keeps them.
 */
export function int8Array(values: readonly number[]): Buffer {
  const buf = header(INT8_OID, values.length, values.length * 12);
  let p = HEADER_BYTES;
  for (const v of values) {
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63)
      throw new RangeError(`int8Array: ${v} is not a whole number in int8`);
    buf.writeInt32BE(8, p);
    buf.writeBigInt64BE(BigInt(v), p + 4);
    p += 12;
  }
  return buf;
}

/** A `bytea[]`. */
export function byteaArray(values: readonly Uint8Array[]): Buffer {
  let bytes = 0;
  for (const v of values) bytes += 4 + v.byteLength;
  const buf = header(BYTEA_OID, values.length, bytes);
  let p = HEADER_BYTES;
  for (const v of values) {
    buf.writeInt32BE(v.byteLength, p);
    buf.set(v, p + 4);
    p += 4 + v.byteLength;
  }
  return buf;
}
