/**
 * Worker-thread entry: read a compressed file and decompress it, posting decompressed chunks
 * (transferred, not copied) to the reading thread, at most CREDITS ahead of what it consumed.
 * This puts decompression on its own core while the reading thread parses.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { decompress, type Compression } from './decompress.js';

const CREDITS = 4;

export type DecompressMessage =
  | { kind: 'chunk'; chunk: Uint8Array; rawBytes: number }
  | { kind: 'end' }
  | { kind: 'error'; input: boolean; message: string };

const { path, compression } = workerData as { path: string; compression: Compression };
let credits = CREDITS;
let wake: (() => void) | null = null;
parentPort!.on('message', () => {
  credits++;
  wake?.();
});

let rawBytes = 0;
async function* raw(): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    rawBytes += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
}

try {
  for await (const chunk of decompress(raw(), compression, path)) {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    credits--;
    // zlib fills one output buffer after another and hands out views into them: a view that is
    // its whole buffer (the usual full chunk) is transferred as is; a part is copied, since the
    // rest of its buffer may still be written (zstd output is always copied). Copying every
    // chunk doubled the garbage and, with it, the peak memory of a large decompression.
    const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    const out = compression === 'gzip' && whole ? chunk : new Uint8Array(chunk);
    const message: DecompressMessage = { kind: 'chunk', chunk: out, rawBytes };
    parentPort!.postMessage(message, [out.buffer as ArrayBuffer]);
  }
  parentPort!.postMessage({ kind: 'end' } satisfies DecompressMessage);
} catch (err) {
  parentPort!.postMessage({
    kind: 'error',
    input: err instanceof InputError,
    message: (err as Error).message,
  } satisfies DecompressMessage);
}
