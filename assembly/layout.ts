/**
 * Fixed layout of the linear memory shared with src/readers/simd.ts (which reads it through
 * `layout`): the batch columns the kernels fill, the volume table, then the input chunk, which
 * the host copies in and grows the memory for. Nothing here is allocated by the runtime.
 */
export const RECORDS: u32 = 16384; // records per call at most: the IoBatch capacity
export const KEY_MAX_BYTES: u32 = 64; // a longer volume name leaves its line to the JS path
export const VOLUME_SLOTS: u32 = 4096; // open addressing, at most half full
export const VOLUMES_MAX: u32 = VOLUME_SLOTS / 2;

export const OUT_VOLUME: u32 = 65536; // u32[RECORDS]
export const OUT_TIME_US: u32 = OUT_VOLUME + RECORDS * 4; // f64[RECORDS]
export const OUT_OFFSET: u32 = OUT_TIME_US + RECORDS * 8; // f64[RECORDS]
export const OUT_LENGTH: u32 = OUT_OFFSET + RECORDS * 8; // f64[RECORDS]
export const OUT_IS_WRITE: u32 = OUT_LENGTH + RECORDS * 8; // u8[RECORDS]
export const SLOTS: u32 = OUT_IS_WRITE + RECORDS; // i32[VOLUME_SLOTS]: key index + 1, 0 empty
export const KEY_LENGTH: u32 = SLOTS + VOLUME_SLOTS * 4; // u32[VOLUMES_MAX]
export const KEY_ID: u32 = KEY_LENGTH + VOLUMES_MAX * 4; // u32[VOLUMES_MAX]: the host's volume id
export const KEY_BYTES: u32 = KEY_ID + VOLUMES_MAX * 4; // u8[VOLUMES_MAX * KEY_MAX_BYTES]
export const INPUT: u32 = KEY_BYTES + VOLUMES_MAX * KEY_MAX_BYTES; // the chunk, then 16 spare bytes
