import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../errors.js';
import type { DecompressMessage } from './decompress-worker.js';
import { ContentHash } from './content-hash.js';
import { compressionOf, decompress, type Compression } from './decompress.js';

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
  /** The file path, or null for stdin. */
  path: string | null;
  /** Compression told by the first bytes (files; stdin decides while reading). */
  compression: Compression;
  /** The first MiB as stored (files), for sniffing before reading. */
  head: Uint8Array | null;
  /** Compressed bytes read so far (for progress). */
  bytesRead(): number;
  /**
   * Decompressed chunks in order. `counted` false reads without feeding `hash` or `bytesRead`:
   * a first pass (collect/survey.ts) before the decoding pass, which counts.
   */
  chunks(counted?: boolean): AsyncIterable<Uint8Array>;
  /**
   * Identity used to refuse collecting the same input twice: SHA-256 of the decoded bytes, the
   * same for a file, its .gz and stdin. `chunks()` feeds it; whoever decodes the file another way
   * (worker threads) feeds it with `hashFile`. Its identity is known once all was read.
   */
  hash: ContentHash;
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
  const head = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
  await handle.read(head, 0, head.length, 0);
  await handle.close();
  const hash = new ContentHash();
  let read = 0;
  return {
    name: path,
    stem: stemOf(path),
    bytes: size,
    path,
    compression: compressionOf(head),
    head,
    bytesRead: () => read,
    hash,
    async *chunks(counted = true) {
      const compression = compressionOf(head);
      if (compression !== null) {
        for await (const chunk of decompressOnWorker(path, compression, (bytes) => {
          if (counted) read = bytes;
        })) {
          if (counted) hash.update(chunk);
          yield chunk;
        }
      } else {
        for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
          if (counted) {
            read += (chunk as Buffer).length;
            hash.update(chunk as Buffer);
          }
          yield chunk as Buffer;
        }
      }
      if (counted) hash.finish();
    },
  };
}

function streamSource(stream: Readable): Source {
  const hash = new ContentHash();
  let read = 0;
  return {
    name: '-',
    stem: 'stdin',
    bytes: null,
    path: null,
    compression: null,
    head: null,
    bytesRead: () => read,
    hash,
    async *chunks() {
      const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const first = await iterator.next();
      if (!first.done) {
        async function* raw(): AsyncGenerator<Uint8Array> {
          for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
            read += next.value.length;
            yield next.value;
          }
        }
        for await (const chunk of decompress(raw(), compressionOf(first.value), '-')) {
          hash.update(chunk);
          yield chunk;
        }
      }
      hash.finish();
    },
  };
}

/** Chunks decompressed by a worker thread, so that decompression and parsing use two cores. */
async function* decompressOnWorker(
  path: string,
  compression: Compression,
  onRawBytes: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const worker = new Worker(new URL('./decompress-worker.js', import.meta.url), { workerData: { path, compression } });
  const queue: DecompressMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (m: DecompressMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== null) throw failure;
      const m = queue.shift()!;
      if (m.kind === 'end') return;
      if (m.kind === 'error') throw m.input ? new InputError(m.message) : new Error(m.message);
      onRawBytes(m.rawBytes);
      worker.postMessage('more');
      yield m.chunk;
    }
  } finally {
    await worker.terminate();
  }
}

/** `web_2.csv.gz` → `web_2`. */
function stemOf(path: string): string {
  return (
    basename(path)
      .replace(/\.(gz|zst)$/i, '')
      .replace(/\.(csv|txt|trace|vscsi|blk|bin|log)$/i, '') || 'volume'
  );
}
