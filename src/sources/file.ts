import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { compressionOf, decompress } from './decompress.js';

const SAMPLE_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;

/** An input trace: a file (plain, gzip or zstd) or standard input, read as byte chunks. */
export interface Source {
  /** The path as given, or `-`. */
  name: string;
  /** Base name without trace/compression extensions: the default volume name. */
  stem: string;
  /** Size on disk, when known (files). */
  bytes: number | null;
  /** Compressed bytes read so far (for progress). */
  bytesRead(): number;
  /** Decompressed chunks in order. */
  chunks(): AsyncIterable<Uint8Array>;
  /**
   * Identity used to refuse collecting the same input twice. Files: sha256 of the size and the
   * first and last MiB, known before reading. Stdin: sha256 of the whole stream, after reading.
   */
  fingerprint(): string | null;
}

/** Open `path` (or `-` for stdin); compression is told by magic bytes, not the name. */
export async function openSource(path: string, stdin: Readable = process.stdin): Promise<Source> {
  if (path === '-') return streamSource(stdin);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new UsageError(`${path}: not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  const handle = await open(path, 'r');
  const hash = createHash('sha256').update(`size:${size}\n`);
  const head = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
  await handle.read(head, 0, head.length, 0);
  hash.update(head);
  if (size > SAMPLE_BYTES) {
    const tail = Buffer.alloc(Math.min(SAMPLE_BYTES, size - SAMPLE_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    hash.update(tail);
  }
  await handle.close();
  const fingerprint = hash.digest('hex');
  let read = 0;
  return {
    name: path,
    stem: stemOf(path),
    bytes: size,
    bytesRead: () => read,
    fingerprint: () => fingerprint,
    async *chunks() {
      async function* raw(): AsyncGenerator<Uint8Array> {
        for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
          read += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      yield* decompress(raw(), compressionOf(head), path);
    },
  };
}

function streamSource(stream: Readable): Source {
  const hash = createHash('sha256');
  let digest: string | null = null;
  let read = 0;
  return {
    name: '-',
    stem: 'stdin',
    bytes: null,
    bytesRead: () => read,
    fingerprint: () => digest,
    async *chunks() {
      const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const first = await iterator.next();
      if (!first.done) {
        async function* raw(): AsyncGenerator<Uint8Array> {
          for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
            read += next.value.length;
            hash.update(next.value);
            yield next.value;
          }
        }
        yield* decompress(raw(), compressionOf(first.value), '-');
      }
      digest = hash.digest('hex');
    },
  };
}

/** `web_2.csv.gz` → `web_2`. */
export function stemOf(path: string): string {
  return basename(path).replace(/\.(gz|zst)$/i, '').replace(/\.(csv|txt|trace|vscsi|blk|bin|log)$/i, '') || 'volume';
}
