import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { IoBatch } from '../src/readers/batch.js';
import { VolumeTable } from '../src/readers/volumes.js';
import { Warnings } from '../src/warnings.js';
import type { DecodeContext, Reader } from '../src/readers/reader.js';

/** Repository root (tests run from dist/test/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const SHARED_TRACES = join(ROOT, '..', 'shared', 'traces');

/** Why a test needing ../shared must skip, or false when the traces are there. */
export function sharedMissing(file: string): string | false {
  const path = join(SHARED_TRACES, file);
  if (existsSync(path)) return false;
  const reason = `../shared/traces/${file} is absent`;
  console.log(`# skip: ${reason}`);
  return reason;
}

/** A fresh temporary directory removed when the process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'churnlink-test-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (t) => (stdout += t), err: (t) => (stderr += t), stderrIsTty: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A decoded record, as plain values, for exact comparisons. */
export interface Decoded {
  volume: string;
  timeUs: number;
  offsetBytes: number;
  lengthBytes: number;
  isWrite: boolean;
}

/**
 * Decode bytes with a reader, pushing them in chunks of `chunkBytes` to exercise carry-over.
 * Returns the records and the decoder's stats.
 */
export function decodeAll(
  reader: Reader,
  bytes: Uint8Array,
  options: Partial<DecodeContext> = {},
  chunkBytes = 1 << 20,
) {
  const records: Decoded[] = [];
  const volumes = options.volumes ?? new VolumeTable();
  const batch = new IoBatch((b) => {
    for (let i = 0; i < b.length; i++) {
      records.push({
        volume: volumes.names[b.volume[i]!]!,
        timeUs: b.timeUs[i]!,
        offsetBytes: b.offsetBytes[i]!,
        lengthBytes: b.lengthBytes[i]!,
        isWrite: b.isWrite[i] === 1,
      });
    }
  }, 4);
  const decoder = reader.open({
    source: 'test-input',
    batch,
    volumes,
    warnings: new Warnings(),
    startUs: 0,
    skipBad: false,
    volumeName: 'vol',
    ...options,
  });
  for (let p = 0; p < bytes.length; p += chunkBytes) decoder.push(bytes.subarray(p, p + chunkBytes));
  decoder.end();
  batch.flush();
  return { records, stats: decoder.stats };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
