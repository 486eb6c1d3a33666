import { hashFile, type ContentHash } from '../sources/content-hash.js';

/**
 * Hash a plain file through while `work` (its decoding on worker threads) runs, and wait for
 * both. The hash is stopped only when the work fails: a hash lagging behind a decode that
 * succeeded (this thread busy writing many small cells) must still read the file to its end.
 */
export async function hashAlongside<T>(path: string, hash: ContentHash, work: Promise<T>): Promise<T> {
  const abort = new AbortController();
  const hashing = hashFile(path, hash, abort.signal);
  hashing.catch(() => {}); // awaited below once the work succeeded; ignored when it failed
  let result: T;
  try {
    result = await work;
  } catch (err) {
    abort.abort();
    throw err;
  }
  await hashing;
  return result;
}
