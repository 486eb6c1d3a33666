import { OUT_IS_WRITE, OUT_LENGTH, OUT_OFFSET, OUT_TIME_US, OUT_VOLUME } from './layout';
import * as stop from './stop';
import { volumeId } from './volumes';

/**
 * Write record n of a line whose volume is named by [keyStart, keyEnd): END when written,
 * VOLUME when the name is not known yet (the host interns it and calls again).
 */
// @ts-ignore: decorator
@inline
export function emit(
  n: u32, keyStart: u32, keyEnd: u32, timeUs: f64, offsetBytes: f64, lengthBytes: f64, isWrite: u8,
): i32 {
  const volume = volumeId(keyStart, keyEnd);
  if (volume < 0) {
    stop.keyStart = keyStart;
    stop.keyEnd = keyEnd;
    return stop.VOLUME;
  }
  put(n, <u32>volume, timeUs, offsetBytes, lengthBytes, isWrite);
  return stop.END;
}

/** Write record n of volume id `volume`. */
// @ts-ignore: decorator
@inline
export function put(n: u32, volume: u32, timeUs: f64, offsetBytes: f64, lengthBytes: f64, isWrite: u8): void {
  store<u32>(OUT_VOLUME + n * 4, volume);
  store<f64>(OUT_TIME_US + n * 8, timeUs);
  store<f64>(OUT_OFFSET + n * 8, offsetBytes);
  store<f64>(OUT_LENGTH + n * 8, lengthBytes);
  store<u8>(OUT_IS_WRITE + n, isWrite);
}

/** Record how a kernel stopped; returns `p`, the position after its last line. */
// @ts-ignore: decorator
@inline
export function finish(p: u32, n: u32, reason: i32): u32 {
  stop.records = n;
  stop.stopReason = reason;
  return p;
}
