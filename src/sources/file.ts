import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';

const SAMPLE_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;
const GZIP_MAGIC = [0x1f, 0x8b];

/** An input trace: a file (plain or gzip) or standard input, read as byte chunks. */
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

/** Open `path` (or `-` for stdin); detects gzip by its magic bytes. */
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
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  let read = 0;
  return {
    name: path,
    stem: stemOf(path),
    bytes: size,
    bytesRead: () => read,
    fingerprint: () => fingerprint,
    async *chunks() {
      const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
      raw.on('data', (c) => (read += c.length));
      yield* decompressed(raw, gzip, path);
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
      // Gzip on stdin is detected from the first chunk.
      const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const first = await iterator.next();
      if (first.done) {
        digest = hash.digest('hex');
        return;
      }
      const gzip = first.value[0] === GZIP_MAGIC[0] && first.value[1] === GZIP_MAGIC[1];
      async function* raw(): AsyncGenerator<Buffer> {
        let next: IteratorResult<Buffer> = first;
        while (!next.done) {
          read += next.value.length;
          hash.update(next.value);
          yield next.value;
          next = await iterator.next();
        }
      }
      const { Readable } = await import('node:stream');
      yield* decompressed(Readable.from(raw()), gzip, '-');
      digest = hash.digest('hex');
    },
  };
}

async function* decompressed(raw: Readable, gzip: boolean, name: string): AsyncGenerator<Uint8Array> {
  const stream = gzip ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  if (gzip) raw.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (gzip && (e.code?.startsWith('Z_') || /gzip|header|unexpected end/i.test(e.message))) {
      throw new InputError(`${name}: corrupted gzip data: ${e.message}`, { cause: err });
    }
    throw err;
  }
}

/** `web_2.csv.gz` → `web_2`. */
export function stemOf(path: string): string {
  return basename(path).replace(/(\.(gz|zst))$/i, '').replace(/\.(csv|txt|trace|vscsi|blk|bin|log)$/i, '') || 'volume';
}
