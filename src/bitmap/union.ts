import { RoaringUnion } from './roaring-union.js';
import { unionSmall } from './small-union.js';

/**
 * Exact union of serialized roaring bitmaps, serialized again, OR-ed container by container
 * (see `RoaringUnion`: at most 8 KiB per 65,536-value chunk, never a list of the values).
 */
export function unionRoaring(blobs: Uint8Array[]): { bitmap: Uint8Array; cardinality: number } {
  const union = new RoaringUnion();
  for (const blob of blobs) union.add(blob);
  return { bitmap: union.serialize(), cardinality: union.cardinality() };
}

/**
 * The union of serialized roaring bitmaps by the cheaper exact path: listing their values when
 * they hold few (`unionSmall`, the same bytes), else container by container (`unionRoaring`).
 */
export function unionBitmaps(blobs: Uint8Array[]): { bitmap: Uint8Array; cardinality: number } {
  return unionSmall(blobs) ?? unionRoaring(blobs);
}
