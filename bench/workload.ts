/**
 * The shipped sample's workload: four servers whose writes fold the way real ones do, so that
 * asynchronous replication ships less than synchronous (the point of measuring distinct tracks).
 *
 * What makes real block traces fold (the CloudPhysics trace folds 2.50 at 5 minutes):
 * - a database rewrites the same hot pages many times between two cycle switches;
 * - a file-system journal or a small circular redo log wraps several times per interval;
 * - logs append sequentially in small writes that fill a track before moving on;
 * - an hourly checkpoint or batch job scatters writes that fold little (the peaks).
 * Scattered 4 KiB writes elsewhere fold below 1 (a 64 KiB track ships for 4 KiB written).
 */
import { prng } from '../src/prng.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** One server behind a volume, with the regions its writes go to (bytes). */
export interface Server {
  host: string;
  disk: number;
  capacityBytes: number;
  /** Share of all I/Os that go to this server. */
  weight: number;
  /**
   * Database pages: [offset, offset + length); `setBytes` at its start are the hot pages (index
   * roots, counters, free-space maps) that take 95 % of page writes.
   */
  hot: { offsetBytes: number; lengthBytes: number; setBytes: number };
  /** A small circular journal that wraps several times an interval. */
  journal: { offsetBytes: number; lengthBytes: number };
  /** An append-only log (redo, web access log). */
  log: { offsetBytes: number; lengthBytes: number };
  /** Shares of writes: hot pages, journal, log; the rest scatters over the volume. */
  mix: { hot: number; journal: number; log: number };
  readShare: number;
}

/** The four servers of samples/scope.yaml: extents there match the regions here. */
export const SAMPLE_SERVERS: Server[] = [
  {
    host: 'src1',
    disk: 0,
    capacityBytes: 16 * GiB,
    weight: 0.45,
    hot: { offsetBytes: 0, lengthBytes: 512 * MiB, setBytes: 2 * MiB },
    journal: { offsetBytes: 8 * GiB, lengthBytes: 2 * MiB },
    log: { offsetBytes: 12 * GiB, lengthBytes: 4 * GiB },
    mix: { hot: 0.5, journal: 0.25, log: 0.22 },
    readShare: 0.3,
  },
  {
    host: 'web',
    disk: 0,
    capacityBytes: 32 * GiB,
    weight: 0.3,
    hot: { offsetBytes: 0, lengthBytes: 256 * MiB, setBytes: 1 * MiB },
    journal: { offsetBytes: 16 * GiB, lengthBytes: 1 * MiB },
    log: { offsetBytes: 28 * GiB, lengthBytes: 4 * GiB },
    mix: { hot: 0.35, journal: 0.2, log: 0.42 },
    readShare: 0.45,
  },
  {
    host: 'prxy',
    disk: 0,
    capacityBytes: 48 * GiB,
    weight: 0.15,
    hot: { offsetBytes: 1 * GiB, lengthBytes: 1 * GiB, setBytes: 1 * MiB },
    journal: { offsetBytes: 40 * GiB, lengthBytes: 1 * MiB },
    log: { offsetBytes: 44 * GiB, lengthBytes: 4 * GiB },
    mix: { hot: 0.3, journal: 0.4, log: 0.27 },
    readShare: 0.2,
  },
  {
    host: 'mds',
    disk: 0,
    capacityBytes: 64 * GiB,
    weight: 0.1,
    hot: { offsetBytes: 0, lengthBytes: 128 * MiB, setBytes: 512 * KiB },
    journal: { offsetBytes: 32 * GiB, lengthBytes: 1 * MiB },
    log: { offsetBytes: 60 * GiB, lengthBytes: 4 * GiB },
    mix: { hot: 0.55, journal: 0.35, log: 0.07 },
    readShare: 0.5,
  },
];

/** One I/O of the sample workload. */
export interface Io {
  server: number;
  isWrite: boolean;
  offsetBytes: number;
  lengthBytes: number;
}

/**
 * Draw I/Os. `burst` (true during the first 10 minutes of each hour) moves 15 % of the
 * writes to a checkpoint that scatters 64-128 KiB writes over the database region.
 */
export class SampleWorkload {
  readonly #rand: () => number;
  readonly #journalAt: number[];
  readonly #logAt: number[];

  constructor(
    seed: number,
    readonly servers: Server[] = SAMPLE_SERVERS,
  ) {
    this.#rand = prng(seed);
    this.#journalAt = servers.map(() => 0);
    this.#logAt = servers.map(() => 0);
  }

  next(burst: boolean): Io {
    const rand = this.#rand;
    const server = this.#pickServer();
    const s = this.servers[server]!;
    if (rand() < s.readShare) {
      const lengthBytes = 4 * KiB * (1 + Math.floor(rand() * 16));
      return {
        server,
        isWrite: false,
        offsetBytes: this.#aligned(rand() * (s.capacityBytes - lengthBytes)),
        lengthBytes,
      };
    }
    if (burst && rand() < 0.15) {
      // Checkpoint: large scattered writes over the whole database region, little folding.
      const lengthBytes = 64 * KiB * (1 + Math.floor(rand() * 2));
      const offsetBytes = s.hot.offsetBytes + this.#aligned(rand() * (s.hot.lengthBytes - lengthBytes));
      return { server, isWrite: true, offsetBytes, lengthBytes };
    }
    const r = rand();
    if (r < s.mix.hot) {
      // Database pages: 8-32 KiB; 95 % to the hot pages, the rest with a cubic skew over the region.
      const lengthBytes = 8 * KiB * (1 + Math.floor(rand() * 4));
      const spanBytes = rand() < 0.95 ? s.hot.setBytes : s.hot.lengthBytes;
      const offsetBytes = s.hot.offsetBytes + this.#aligned(rand() ** 3 * (spanBytes - lengthBytes));
      return { server, isWrite: true, offsetBytes, lengthBytes };
    }
    if (r < s.mix.hot + s.mix.journal) {
      // Journal: 16-64 KiB appends that wrap inside a MiB or two, several times an interval.
      const lengthBytes = 16 * KiB * (1 + Math.floor(rand() * 4));
      const at = this.#journalAt[server]!;
      this.#journalAt[server] = (at + lengthBytes) % (s.journal.lengthBytes - 64 * KiB);
      return { server, isWrite: true, offsetBytes: s.journal.offsetBytes + at, lengthBytes };
    }
    if (r < s.mix.hot + s.mix.journal + s.mix.log) {
      // Log: 4-16 KiB sequential appends.
      const lengthBytes = 4 * KiB * (1 + Math.floor(rand() * 4));
      const at = this.#logAt[server]!;
      this.#logAt[server] = (at + lengthBytes) % (s.log.lengthBytes - 16 * KiB);
      return { server, isWrite: true, offsetBytes: s.log.offsetBytes + at, lengthBytes };
    }
    // Scattered small writes (metadata, temp files): fold below 1.
    const lengthBytes = 4 * KiB * (1 + Math.floor(rand() * 2));
    return { server, isWrite: true, offsetBytes: this.#aligned(rand() * (s.capacityBytes - lengthBytes)), lengthBytes };
  }

  #pickServer(): number {
    let r = this.#rand();
    for (let i = 0; i < this.servers.length - 1; i++) {
      r -= this.servers[i]!.weight;
      if (r < 0) return i;
    }
    return this.servers.length - 1;
  }

  #aligned(bytes: number): number {
    return Math.floor(bytes / (4 * KiB)) * 4 * KiB;
  }
}
