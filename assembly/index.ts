/** The WebAssembly module's exports, loaded by src/readers/simd.ts. */
export { parseMsr } from './msr';
export { parseAlibaba } from './alibaba';
export { parseTencent } from './tencent';
export { parseSpc } from './spc';
export { parseCsv, configureCsv, addCsvOp } from './csv';
export { addVolume, clearVolumes } from './volumes';
export { INPUT, OUT_IS_WRITE, OUT_LENGTH, OUT_OFFSET, OUT_TIME_US, OUT_VOLUME, RECORDS } from './layout';
export { stopReason, records, keyStart, keyEnd } from './stop';
