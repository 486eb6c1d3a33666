import { digits16 } from './digits';
import { fieldEnd, fieldStart, isNumber, lineFields, lineLength } from './fields';
import { emit, finish } from './emit';
import * as stop from './stop';

const W: u8 = 87;
const R: u8 = 82;

/**
 * Alibaba lines `device_id,opcode,offset,length,timestamp` from [p, end): the lines
 * src/readers/alibaba.ts's fast path takes that fit a 64-byte window, with the same values.
 */
export function parseAlibaba(p: u32, end: u32, maxRecords: u32, maxEndBytes: f64, fromUs: f64, untilUs: f64): u32 {
  let n: u32 = 0;
  let reason = stop.END;
  while (p < end) {
    if (
      lineFields(p, end) != 5 ||
      !isNumber(0, 20) ||
      fieldEnd(1) - fieldStart(1) != 1 ||
      !isNumber(2, 15) ||
      !isNumber(3, 15) ||
      !isNumber(4, 16)
    ) {
      reason = stop.LINE;
      break;
    }
    const op = load<u8>(p + fieldStart(1));
    if (op != W && op != R) {
      reason = stop.LINE;
      break;
    }
    const offsetBytes = <f64>digits16(p + fieldEnd(2), fieldEnd(2) - fieldStart(2));
    const lengthBytes = <f64>digits16(p + fieldEnd(3), fieldEnd(3) - fieldStart(3));
    const timeUs = <f64>digits16(p + fieldEnd(4), fieldEnd(4) - fieldStart(4));
    if (!(timeUs >= fromUs && timeUs < untilUs) || offsetBytes + lengthBytes > maxEndBytes) {
      reason = stop.LINE;
      break;
    }
    const next = p + lineLength() + 1;
    reason = emit(n, p + fieldStart(0), p + fieldEnd(0), timeUs, offsetBytes, lengthBytes, op == W ? 1 : 0);
    if (reason != stop.END) break;
    n++;
    p = next;
    if (n == maxRecords) {
      reason = p < end ? stop.FULL : stop.END;
      break;
    }
  }
  return finish(p, n, reason);
}
