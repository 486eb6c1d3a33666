import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../errors.js';
import type { DecompressMessage } from './decompress-worker.js';
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
    path,
    compression: compressionOf(head),
    head,
    bytesRead: () => read,
    fingerprint: () => fingerprint,
    async *chunks() {
      const compression = compressionOf(head);
      if (compression !== null) {
        yield* decompressOnWorker(path, compression, (bytes) => (read = bytes));
        return;
      }
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
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
    path: null,
    compression: null,
    head: null,
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

/** Chunks decompressed by a worker thread, so that decompression and parsing use two cores. */
async function* decompressOnWorker(path: string, compression: Compression, onRawBytes: (bytes: number) => void): AsyncGenerator<Uint8Array> {
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
export function stemOf(path: string): string {
  return basename(path).replace(/\.(gz|zst)$/i, '').replace(/\.(csv|txt|trace|vscsi|blk|bin|log)$/i, '') || 'volume';
}
