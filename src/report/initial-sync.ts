import type { LinkParams } from './link.js';

/** A volume to copy in full before replication starts. */
export interface SyncVolume {
  name: string;
  usedBytes: number;
}

export interface SyncBatch {
  volumes: string[];
  bytes: number;
  /** Time to copy the batch's volumes together over the whole link. */
  seconds: number;
  /** A single volume larger than the window can carry. */
  exceedsWindow: boolean;
}

export interface InitialSync {
  /** Time to copy every volume over the link. */
  seconds: number;
  totalBytes: number;
  volumes: (SyncVolume & { seconds: number })[];
  /** Batches that each finish within the sync window (biggest volumes first); empty without a window. */
  batches: SyncBatch[];
  syncWindowS: number | null;
}

/**
 * Initial synchronization: the time to copy each volume's used bytes over the link,
 * 8 · used · (1 + overhead) / compression / (link · efficiency) (growth does not apply: it is
 * what is there today), and batches of volumes that each finish within `syncWindowS`, filled
 * biggest first (first fit decreasing). New writes during the copy are not counted.
 */
export function planInitialSync(
  volumes: SyncVolume[],
  linkBps: number,
  params: LinkParams,
  syncWindowS: number | null,
): InitialSync {
  const bytesPerS = (linkBps * params.efficiency) / 8;
  const secondsOf = (bytes: number): number => (bytes * (1 + params.overhead)) / params.compression / bytesPerS;
  const sorted = [...volumes].sort((a, b) => b.usedBytes - a.usedBytes || (a.name < b.name ? -1 : 1));
  const totalBytes = sorted.reduce((n, v) => n + v.usedBytes, 0);
  const batches: SyncBatch[] = [];
  if (syncWindowS !== null) {
    for (const v of sorted) {
      const s = secondsOf(v.usedBytes);
      const fit = batches.find((b) => !b.exceedsWindow && b.seconds + s <= syncWindowS);
      if (fit !== undefined) {
        fit.volumes.push(v.name);
        fit.bytes += v.usedBytes;
        fit.seconds = secondsOf(fit.bytes);
      } else batches.push({ volumes: [v.name], bytes: v.usedBytes, seconds: s, exceedsWindow: s > syncWindowS });
    }
  }
  const perVolume = sorted.map((v) => ({ ...v, seconds: secondsOf(v.usedBytes) }));
  return { seconds: secondsOf(totalBytes), totalBytes, volumes: perVolume, batches, syncWindowS };
}
