import { ContentHash } from '../sources/content-hash.js';
import type { Source } from '../sources/file.js';

/**
 * The fingerprints of the first N decoded bytes of a file source, for each N in `lengths` below
 * its decoded length, read again from the file (only as far as the longest N). Standard input
 * cannot be read again: an empty map.
 */
export async function prefixFingerprints(source: Source, lengths: readonly number[]): Promise<Map<number, string>> {
  if (source.path === null || lengths.length === 0) return new Map();
  const hash = new ContentHash();
  hash.mark(lengths);
  const longest = Math.max(...lengths);
  let bytes = 0;
  for await (const chunk of source.chunks(false)) {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes > longest) break; // every requested prefix is behind: the rest is not needed
  }
  return hash.finish().prefixes;
}
