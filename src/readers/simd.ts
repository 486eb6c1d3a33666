import { readFileSync } from 'node:fs';
import type { IoBatch } from './batch.js';
import { PLAUSIBLE_FROM_US, PLAUSIBLE_UNTIL_US } from './epoch.js';
import type { BulkLines } from './lines.js';
import type { VolumeSpanCache } from './volumes.js';

/**
 * The WebAssembly (SIMD128) line kernels built from `assembly/` into `simd.wasm` beside this file:
 * they take whole well-formed lines of a chunk into the batch columns at once and stop at the
 * first line they do not take, which the exact JS path then parses (or rejects, naming file, line
 * and field). A kernel takes only lines the format's JS path takes, with the same arithmetic, so
 * the batches are identical with or without it (test/readers/simd.test.ts).
 */
/** Parses whole lines from p (an address) up to end into the output columns (assembly/msr.ts). */
export type Kernel = (
  p: number,
  end: number,
  maxRecords: number,
  maxEndBytes: number,
  fromUs: number,
  untilUs: number,
  startUs: number,
) => number;

export interface KernelExports {
  memory: WebAssembly.Memory;
  parseMsr: Kernel;
  parseAlibaba: Kernel;
  parseTencent: Kernel;
  parseSpc: Kernel;
  parseCsv: Kernel;
  configureCsv(
    time: number,
    offset: number,
    length: number,
    op: number,
    volume: number,
    digits: number,
    absolute: number,
    offsetUnitBytes: number,
    lengthUnitBytes: number,
    fixedVolume: number,
  ): void;
  addCsvOp(low: number, high: number, length: number, isWrite: number): number;
  addVolume(start: number, end: number, id: number): number;
  clearVolumes(): void;
  INPUT: WebAssembly.Global;
  OUT_VOLUME: WebAssembly.Global;
  OUT_TIME_US: WebAssembly.Global;
  OUT_OFFSET: WebAssembly.Global;
  OUT_LENGTH: WebAssembly.Global;
  OUT_IS_WRITE: WebAssembly.Global;
  RECORDS: WebAssembly.Global;
  stopReason: WebAssembly.Global;
  records: WebAssembly.Global;
  keyStart: WebAssembly.Global;
  keyEnd: WebAssembly.Global;
}

/** Why a kernel returned (assembly/stop.ts). */
const FULL = 2;
const VOLUME = 3;
/** Readable bytes a kernel may load past the input's end (a 64-byte window). */
const SLACK_BYTES = 64;
const PAGE_BYTES = 65536;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernels, or null when `simd.wasm` was not built (a plain `tsc` build) or this
 * runtime lacks SIMD128: decoding then takes the JS path alone, with the same results.
 */
export function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(readFileSync(new URL('./simd.wasm', import.meta.url)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof WebAssembly.CompileError)) throw err;
      compiled = null;
    }
  }
  return compiled;
}

/** Line formats with a kernel. */
export type KernelFormat = 'msr' | 'alibaba' | 'tencent' | 'spc';

const KERNELS = { msr: 'parseMsr', alibaba: 'parseAlibaba', tencent: 'parseTencent', spc: 'parseSpc' } as const;
/** Formats whose times count from the trace's start: `startUs` is added, and 1970 .. 2100 taken. */
const RELATIVE: ReadonlySet<KernelFormat> = new Set(['spc']);

/**
 * A `BulkLines` for `format` writing into `batch`, naming volumes through `volumes` (the cache the
 * format's JS path uses, so that ids agree), or undefined when the kernels are not available.
 * `startUs` is added to the times of formats that count from the trace's start.
 */
export function simdLines(
  format: KernelFormat,
  batch: IoBatch,
  volumes: VolumeSpanCache,
  startUs = 0,
): BulkLines | undefined {
  const exports = simdInstance();
  if (exports === undefined) return undefined;
  const fromUs = RELATIVE.has(format) ? 0 : PLAUSIBLE_FROM_US;
  return new KernelLines(exports, exports[KERNELS[format]], fromUs, batch, volumes, startUs);
}

/** A new instance of the kernels (its own memory and volume table), or undefined when not built. */
export function simdInstance(): KernelExports | undefined {
  const module = simdModule();
  if (module === null) return undefined;
  return new WebAssembly.Instance(module).exports as unknown as KernelExports;
}

/** The kernel `parse` of instance `k` as a `BulkLines` writing into `batch`. */
export class KernelLines implements BulkLines {
  lines = 0;
  readonly #k: KernelExports;
  readonly #parse: Kernel;
  readonly #fromUs: number;
  readonly #startUs: number;
  readonly #batch: IoBatch;
  readonly #volumes: VolumeSpanCache;
  readonly #input: number;
  readonly #records: number;
  #chunk: Uint8Array = new Uint8Array(0);
  #memory = new Uint8Array(0);
  #volume = new Uint32Array(0);
  #timeUs = new Float64Array(0);
  #offset = new Float64Array(0);
  #length = new Float64Array(0);
  #isWrite = new Uint8Array(0);

  constructor(
    k: KernelExports,
    parse: Kernel,
    fromUs: number,
    batch: IoBatch,
    volumes: VolumeSpanCache,
    startUs: number,
  ) {
    this.#k = k;
    this.#parse = parse;
    this.#fromUs = fromUs;
    this.#startUs = startUs;
    this.#batch = batch;
    this.#volumes = volumes;
    this.#input = k.INPUT.value as number;
    this.#records = k.RECORDS.value as number;
    k.clearVolumes();
    this.#views();
  }

  #views(): void {
    const k = this.#k;
    const buffer = k.memory.buffer;
    const records = k.RECORDS.value as number;
    this.#memory = new Uint8Array(buffer);
    this.#volume = new Uint32Array(buffer, k.OUT_VOLUME.value as number, records);
    this.#timeUs = new Float64Array(buffer, k.OUT_TIME_US.value as number, records);
    this.#offset = new Float64Array(buffer, k.OUT_OFFSET.value as number, records);
    this.#length = new Float64Array(buffer, k.OUT_LENGTH.value as number, records);
    this.#isWrite = new Uint8Array(buffer, k.OUT_IS_WRITE.value as number, records);
  }

  load(chunk: Uint8Array): void {
    const need = this.#input + chunk.length + SLACK_BYTES;
    if (need > this.#memory.length) {
      this.#k.memory.grow(Math.ceil((need - this.#memory.length) / PAGE_BYTES));
      this.#views();
    }
    this.#memory.set(chunk, this.#input);
    this.#memory.fill(0, this.#input + chunk.length, need);
    this.#chunk = chunk;
  }

  run(p: number, end: number): number {
    const k = this.#k;
    const batch = this.#batch;
    const base = this.#input;
    let at = base + p;
    let lines = 0;
    for (;;) {
      at = this.#parse(
        at,
        base + end,
        Math.min(this.#records, batch.capacity - batch.length),
        batch.maxWriteEndBytes,
        this.#fromUs,
        PLAUSIBLE_UNTIL_US,
        this.#startUs,
      );
      const n = k.records.value as number;
      if (n > 0) batch.append(this.#volume, this.#timeUs, this.#offset, this.#length, this.#isWrite, n);
      lines += n;
      const reason = k.stopReason.value as number;
      if (reason === FULL) continue;
      if (reason === VOLUME) {
        const start = (k.keyStart.value as number) - base;
        const id = this.#volumes.id(this.#chunk, start, (k.keyEnd.value as number) - base);
        // A name holding NUL: the line goes to the JS path, which refuses it.
        if (id >= 0 && k.addVolume(start + base, k.keyEnd.value as number, id) !== 0) continue;
      }
      break;
    }
    this.lines = lines;
    return at - base;
  }
}
