import { RoaringUnion } from './roaring-union.js';

/**
 * Exact union of serialized roaring bitmaps, serialized again, OR-ed container by container
 * (see `RoaringUnion`: at most 8 KiB per 65,536-value chunk, never a list of the values).
 */
export function unionRoaring(blobs: Uint8Array[]): { bitmap: Uint8Array; cardinality: number } {
  const union = new RoaringUnion();
  for (const blob of blobs) union.add(blob);
  return { bitmap: union.serialize(), cardinality: union.cardinality() };
}
