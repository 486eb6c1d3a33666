/**
 * Why a kernel returned, with what the host needs to go on. A kernel parses whole lines from
 * its start position and returns the position after the last line it took; `records` is how
 * many it wrote to the output columns.
 */
export const END = 0; // every line up to the end was taken
export const LINE = 1; // the line at the returned position is for the exact JS path (or incomplete)
export const FULL = 2; // the output columns are full
export const VOLUME = 3; // the line at the returned position names a volume not yet known

export let stopReason: i32 = END;
export let records: u32 = 0;
/** With VOLUME: the name's bytes [keyStart, keyEnd). */
export let keyStart: u32 = 0;
export let keyEnd: u32 = 0;
