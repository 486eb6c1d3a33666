import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** How an input is identified: its decoded bytes, whatever the compression or the channel. */
export interface ContentIdentity {
  /** `sha256:` + SHA-256 of the decoded byte stream (a gzip file and its content agree). */
  fingerprint: string;
  /** Decoded bytes. */
  bytes: number;
  /** Fingerprints of the first N decoded bytes, for each requested N below `bytes`. */
  prefixes: Map<number, string>;
}

/**
 * SHA-256 of a decoded byte stream, computed as it is read (no second pass). At the requested
 * offsets (the lengths of inputs a store already holds) the digest of the prefix is kept too, so
 * that an input which grew since it was collected is recognised.
 */
export class ContentHash {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #marks: number[] = [];
  readonly #prefixes = new Map<number, string>();
  #done: ContentIdentity | null = null;

  /** Keep the digest of the first `offset` bytes for each offset (call before reading). */
  mark(offsets: Iterable<number>): void {
    this.#marks = [...new Set([...this.#marks, ...offsets])].filter((n) => n > this.#bytes).sort((a, b) => b - a);
  }

  update(chunk: Uint8Array): void {
    const startBytes = this.#bytes; // offset of chunk[0] in the stream
    let from = 0;
    while (this.#marks.length > 0 && this.#marks[this.#marks.length - 1]! <= startBytes + chunk.length) {
      const mark = this.#marks.pop()!;
      const upTo = mark - startBytes;
      this.#hash.update(chunk.subarray(from, upTo));
      from = upTo;
      this.#prefixes.set(mark, `sha256:${this.#hash.copy().digest('hex')}`);
    }
    this.#hash.update(chunk.subarray(from));
    this.#bytes = startBytes + chunk.length;
  }

  /** Finish: the identity of everything passed to `update`. */
  finish(): ContentIdentity {
    if (this.#done === null) {
      const fingerprint = `sha256:${this.#hash.digest('hex')}`;
      this.#prefixes.delete(this.#bytes);
      this.#done = { fingerprint, bytes: this.#bytes, prefixes: this.#prefixes };
    }
    return this.#done;
  }

  /** The identity, once `finish` was called. */
  identity(): ContentIdentity | null {
    return this.#done;
  }
}

/** Hash a plain file by reading it through (for inputs decoded elsewhere, on worker threads). */
export async function hashFile(path: string, hash: ContentHash, signal?: AbortSignal): Promise<ContentIdentity> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.finish();
}
