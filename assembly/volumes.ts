import { KEY_BYTES, KEY_ID, KEY_LENGTH, KEY_MAX_BYTES, SLOTS, VOLUMES_MAX, VOLUME_SLOTS } from './layout';

/**
 * Volume names (their bytes in a record) to the host's volume ids, so that a record needs no call
 * to the host: a name not yet known stops the kernel, the host interns it and calls `addVolume`.
 * The previous record's name is compared first; otherwise FNV-1a (as src/readers/volumes.ts) into
 * an open-addressing table of at most VOLUMES_MAX names.
 */
const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

let keys: u32 = 0;
let lastKey: i32 = -1;
/** The hash of the name `volumeId` last looked up. */
export let lastHash: u32 = 0;

/** Forget every name (a new decoder: ids belong to its volume table). */
export function clearVolumes(): void {
  memory.fill(SLOTS, 0, VOLUME_SLOTS * 4);
  keys = 0;
  lastKey = -1;
}

function sameKey(k: u32, start: u32, length: u32): bool {
  if (load<u32>(KEY_LENGTH + k * 4) != length) return false;
  return memory.compare(KEY_BYTES + k * KEY_MAX_BYTES, start, length) == 0;
}

function hashOf(start: u32, end: u32): u32 {
  let hash = FNV_OFFSET;
  for (let p = start; p < end; p++) hash = (hash ^ <u32>load<u8>(p)) * FNV_PRIME;
  return hash;
}

/** The id of the name in [start, end), or -1 when unknown (its hash then in `lastHash`). */
// @ts-ignore: decorator
@inline
export function volumeId(start: u32, end: u32): i64 {
  const length = end - start;
  if (lastKey >= 0 && sameKey(<u32>lastKey, start, length)) return <i64>load<u32>(KEY_ID + <u32>lastKey * 4);
  const hash = hashOf(start, end);
  lastHash = hash;
  const mask: u32 = VOLUME_SLOTS - 1;
  let slot = hash & mask;
  for (let k = load<i32>(SLOTS + slot * 4); k != 0; k = load<i32>(SLOTS + slot * 4)) {
    if (sameKey(<u32>(k - 1), start, length)) {
      lastKey = k - 1;
      return <i64>load<u32>(KEY_ID + <u32>(k - 1) * 4);
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}

/** Remember the name in [start, end) as volume `id`; false when the table is full or the name too long. */
export function addVolume(start: u32, end: u32, id: u32): bool {
  const length = end - start;
  if (keys >= VOLUMES_MAX || length > KEY_MAX_BYTES) return false;
  const mask: u32 = VOLUME_SLOTS - 1;
  let slot = hashOf(start, end) & mask;
  while (load<i32>(SLOTS + slot * 4) != 0) slot = (slot + 1) & mask;
  memory.copy(KEY_BYTES + keys * KEY_MAX_BYTES, start, length);
  store<u32>(KEY_LENGTH + keys * 4, length);
  store<u32>(KEY_ID + keys * 4, id);
  keys++;
  store<i32>(SLOTS + slot * 4, <i32>keys);
  return true;
}
