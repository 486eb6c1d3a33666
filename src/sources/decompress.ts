import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { InputError } from '../errors.js';

export type Compression = 'gzip' | 'zstd' | null;

const CHUNK_BYTES = 1 << 20;

/** Compression told by magic bytes: gzip 1f 8b, zstd 28 b5 2f fd. */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}

/** Decompress a byte stream (or pass it through); corrupt data is an InputError naming `name`. */
export async function* decompress(
  raw: AsyncIterable<Uint8Array>,
  kind: Compression,
  name: string,
): AsyncGenerator<Uint8Array> {
  if (kind === null) {
    yield* raw;
  } else if (kind === 'gzip') {
    yield* gunzip(raw, name);
  } else {
    yield* unzstd(raw, name);
  }
}

async function* gunzip(raw: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const source = Readable.from(raw);
  const stream = source.pipe(createGunzip({ chunkSize: CHUNK_BYTES }));
  source.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code?.startsWith('Z_') || /unexpected end of file|incorrect header|invalid/i.test(e.message)) {
      throw new InputError(`${name}: corrupted gzip data: ${e.message}`, { cause: err });
    }
    throw err;
  }
}

async function* unzstd(raw: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let ended = false;
  const stream = new Decompress((data, final) => {
    out.push(data);
    if (final) ended = true;
  });
  const fail = (err: unknown): never => {
    throw new InputError(`${name}: corrupted zstd data: ${(err as Error).message}`, { cause: err });
  };
  for await (const chunk of raw) {
    try {
      stream.push(chunk);
    } catch (err) {
      fail(err);
    }
    yield* out.splice(0);
  }
  try {
    stream.push(new Uint8Array(0), true);
  } catch (err) {
    fail(err);
  }
  yield* out.splice(0);
  if (!ended) fail(new Error('unexpected end of file'));
}
