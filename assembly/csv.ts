import { digits16 } from './digits';
import { fieldEnd, fieldStart, isNumber, lineFields, lineLength } from './fields';
import { emit, finish, put } from './emit';
import * as stop from './stop';

const QUOTE: u8 = 34;
const HASH: u8 = 35;
const MAX_SAFE: u64 = 9_007_199_254_740_991; // 2^53 - 1
const MAX_NUMBER_DIGITS: u32 = 15; // offset and length: exact in a double, as the JS path requires
const MAX_OP_BYTES: u32 = 8;
const MAX_OPS: u32 = 32;

// The mapping (src/readers/csv.ts resolves it to 0-based columns below 8; -1 unmapped).
let timeAt: u32 = 0;
let offsetAt: u32 = 0;
let lengthAt: u32 = 0;
let opAt: i32 = -1;
let volumeAt: i32 = -1;
let lastAt: u32 = 0;
let timeDigits: i32 = 0; // 6 s, 3 ms, 0 us, -3 ns: digits that turn the unit into µs; FILETIME
/** `timeDigits` of filetime (100 ns ticks since 1601), converted as src/readers/msr.ts does. */
const FILETIME: i32 = 100;
const TICK_DIGITS: u32 = 7;
const FILETIME_EPOCH_OFFSET_S: f64 = 11_644_473_600;
let timeScale: f64 = 1;
let absolute: bool = false;
let offsetUnitBytes: f64 = 1;
let lengthUnitBytes: f64 = 1;
let fixedVolume: u32 = 0;
// Op words, each byte | 0x20 (as FieldCursor.is compares), write words first.
// Static data, not runtime arrays: the module imports nothing.
const opKeys = memory.data(MAX_OPS * 8); // u64 each
const opLengths = memory.data(MAX_OPS * 4); // u32 each
const opWrites = memory.data(MAX_OPS); // u8 each
let ops: u32 = 0;

/** Set the mapping for `parseCsv` and forget the op words. */
export function configureCsv(
  time: u32, offset: u32, length: u32, op: i32, volume: i32, digits: i32, isAbsolute: bool,
  offsetUnit: f64, lengthUnit: f64, volumeId: u32,
): void {
  timeAt = time;
  offsetAt = offset;
  lengthAt = length;
  opAt = op;
  volumeAt = volume;
  lastAt = <u32>max(max(<i32>max(time, offset), <i32>length), max(op, volume));
  timeDigits = digits;
  timeScale = 1;
  for (let i = 0; i < digits && digits != FILETIME; i++) timeScale *= 10;
  absolute = isAbsolute;
  offsetUnitBytes = offsetUnit;
  lengthUnitBytes = lengthUnit;
  fixedVolume = volumeId;
  ops = 0;
}

/** Add an op word (up to 8 bytes, each already | 0x20, little-endian in low/high); false when full. */
export function addCsvOp(low: u32, high: u32, length: u32, isWrite: bool): bool {
  if (ops >= MAX_OPS || length > MAX_OP_BYTES) return false;
  store<u64>(opKeys + ops * 8, (<u64>high << 32) | <u64>low);
  store<u32>(opLengths + ops * 4, length);
  store<u8>(opWrites + ops, isWrite ? 1 : 0);
  ops++;
  return true;
}

/** 1 write, 0 read, -1 when the op field at [start, end) matches no word (the JS path decides). */
function opOf(start: u32, end: u32): i32 {
  const length = end - start;
  if (length > MAX_OP_BYTES) return -1;
  let key: u64 = 0;
  for (let i: u32 = 0; i < length; i++) key |= <u64>(load<u8>(start + i) | 0x20) << (<u64>i << 3);
  for (let k: u32 = 0; k < ops; k++) {
    if (load<u32>(opLengths + k * 4) == length && load<u64>(opKeys + k * 8) == key) return <i32>load<u8>(opWrites + k);
  }
  return -1;
}

/** The time field's value in µs before `startUs`, or -1 when the JS path must decide. */
// @ts-ignore: decorator
@inline
function timeValue(p: u32): f64 {
  const s = fieldStart(timeAt);
  const e = fieldEnd(timeAt);
  const digits = e - s;
  if (timeDigits == FILETIME) {
    // Seconds (at most 15 digits: exact) and 7 digits of ticks; shorter ones are implausible.
    if (!isNumber(timeAt, 22) || digits <= TICK_DIGITS) return -1;
    const seconds = <f64>digits16(p + e - TICK_DIGITS, digits - TICK_DIGITS);
    return (seconds - FILETIME_EPOCH_OFFSET_S) * 1e6 + Math.floor(<f64>digits16(p + e, TICK_DIGITS) / 10);
  }
  if (!isNumber(timeAt, 19)) return -1;
  let kept = digits;
  if (timeDigits < 0) kept = digits > <u32>-timeDigits ? digits - <u32>-timeDigits : 0;
  if (kept > 16) return -1;
  const whole: u64 = kept == 0 ? 0 : digits16(p + s + kept, kept);
  if (whole > MAX_SAFE) return -1;
  const timeUs = <f64>whole * timeScale; // the JS path adds a zero fraction: the same double
  return timeUs > <f64>MAX_SAFE ? -1 : timeUs;
}

/**
 * Lines of the generic csv reader from [p, end), mapped by `configureCsv`: comma-separated, at most
 * 8 fields, fitting a 64-byte window, no mapped-or-earlier field quoted, time, offset and length plain
 * digits, op one of the words added; with the values src/readers/csv.ts computes. Relative units
 * get `startUs` added and must lie in [0, untilUs), absolute ones in [fromUs, untilUs).
 */
export function parseCsv(
  p: u32,
  end: u32,
  maxRecords: u32,
  maxEndBytes: f64,
  fromUs: f64,
  untilUs: f64,
  startUs: f64,
): u32 {
  let n: u32 = 0;
  let reason = stop.END;
  while (p < end) {
    const fields = lineFields(p, end);
    if (fields <= <i32>lastAt || load<u8>(p) == HASH || !quoteFree(p)) {
      reason = stop.LINE;
      break;
    }
    let isWrite: i32 = 1;
    if (opAt >= 0) isWrite = opOf(p + fieldStart(<u32>opAt), p + fieldEnd(<u32>opAt));
    const value = timeValue(p);
    let timeUs = value;
    let timeOk = value >= 0;
    if (absolute) timeOk = timeOk && value >= fromUs && value < untilUs;
    else {
      timeUs = value + startUs;
      timeOk = timeOk && timeUs >= 0 && timeUs < untilUs;
    }
    if (isWrite < 0 || !timeOk || !isNumber(offsetAt, MAX_NUMBER_DIGITS) || !isNumber(lengthAt, MAX_NUMBER_DIGITS)) {
      reason = stop.LINE;
      break;
    }
    const offsetBytes = <f64>number(p, offsetAt) * offsetUnitBytes;
    const lengthBytes = <f64>number(p, lengthAt) * lengthUnitBytes;
    if (!(offsetBytes + lengthBytes <= maxEndBytes)) {
      reason = stop.LINE;
      break;
    }
    const next = p + lineLength() + 1;
    if (volumeAt >= 0) {
      const v = <u32>volumeAt;
      if (fieldEnd(v) == fieldStart(v)) {
        reason = stop.LINE; // an empty volume name: the JS path refuses it
        break;
      }
      reason = emit(n, p + fieldStart(v), p + fieldEnd(v), timeUs, offsetBytes, lengthBytes, <u8>isWrite);
      if (reason != stop.END) break;
    } else put(n, fixedVolume, timeUs, offsetBytes, lengthBytes, <u8>isWrite);
    n++;
    p = next;
    if (n == maxRecords) {
      reason = p < end ? stop.FULL : stop.END;
      break;
    }
  }
  return finish(p, n, reason);
}

/** True when no field up to the last mapped one starts with a quote (the JS path unquotes those). */
// @ts-ignore: decorator
@inline
function quoteFree(p: u32): bool {
  for (let i: u32 = 0; i <= lastAt; i++) if (load<u8>(p + fieldStart(i)) == QUOTE) return false;
  return true;
}

/** The value of field i of the line at p (checked by `isNumber`). */
// @ts-ignore: decorator
@inline
function number(p: u32, i: u32): u64 {
  return digits16(p + fieldEnd(i), fieldEnd(i) - fieldStart(i));
}
