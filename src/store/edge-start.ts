/** A visible chunk met while looking for a volume's first or last interval start in a window. */
export interface EdgeChunk {
  chunkS: number;
  runId: number;
  /** The chunk's first and last interval start, as stored. */
  firstS: number;
  lastS: number;
}

/**
 * The chunk's first (`ASC`) or last (`DESC`) interval start when the window [fromS, toS) holds
 * all its starts (its stored first and last answer); undefined when the window cuts it, and its
 * starts must be read (`extremeStart`).
 */
export function storedEdge(chunk: EdgeChunk, order: 'ASC' | 'DESC', fromS: number, toS: number): number | undefined {
  if (chunk.firstS < fromS || chunk.lastS >= toS) return undefined;
  return order === 'ASC' ? chunk.firstS : chunk.lastS;
}

/** The least (`ASC`) or greatest (`DESC`) of `starts` inside [fromS, toS), or null when none is. */
export function extremeStart(
  starts: Iterable<number>,
  order: 'ASC' | 'DESC',
  fromS: number,
  toS: number,
): number | null {
  let best: number | null = null;
  for (const s of starts) {
    if (s < fromS || s >= toS) continue;
    if (best === null || (order === 'ASC' ? s < best : s > best)) best = s;
  }
  return best;
}
