/**
 * The live collector's ceiling without a kernel: replays ring-buffer pages in the exact binary
 * layout `trace_pipe_raw` returns (page header, 32-bit event headers, block_bio_queue records of a
 * 6.x kernel, time-extend events) through the same decoder and tracker the collector runs, on one
 * core, and prints events/s: decoding alone, and decoding + tracking + closing intervals.
 *
 *   npm run build && node dist/bench/live-replay.js [--pages 4096] [--seconds 5] [--volumes 8] [--mean-gap-us 0.5]
 *
 * The mean gap between events sets the trace's own rate (0.5 µs = 2 M events/s): replayed at
 * about that speed, intervals close as often as they would live. "per CPU-second" divides by the
 * process's user + system CPU time, so a busy machine does not lower it.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Tracker } from '../src/collect/tracker.js';
import { bioLayoutOf, decodeRingPage } from '../src/live/ring-page.js';
import { IoBatch } from '../src/readers/batch.js';
import { prng } from '../src/prng.js';
import { BIO_QUEUE_FORMAT as FORMAT } from './bio-format.js';

const PAGE_BYTES = 4096;
const EVENT_BYTES = 4 + 56; // header word + 54 bytes of fields padded to 4 (type_len 14)
const VOLUME_SECTORS = 2 ** 31; // 1 TiB volumes

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '4096' },
    seconds: { type: 'string', default: '5' },
    volumes: { type: 'string', default: '8' },
    'mean-gap-us': { type: 'string', default: '0.5' },
  },
});
const pageCount = Number(values.pages);
const volumes = Number(values.volumes);
const meanGapNs = Number(values['mean-gap-us']) * 1000;
const layout = bioLayoutOf(FORMAT);
const devOf = (v: number): number => 259 * 2 ** 20 + v; // nvme-like majors

/**
 * Pages of 4 KiB random writes (8 sectors; every 8th a 64 KiB write; 1 in 50 a sequential run),
 * spread over `volumes` devices, exponential gaps averaging `meanGapNs`, with a time-extend event
 * whenever a gap does not fit the 27-bit delta. Returns the pages and the time they span (ns).
 */
function generatePages(): { pages: Uint8Array[]; spanNs: number; events: number } {
  const random = prng(42);
  const pages: Uint8Array[] = [];
  let timeNs = 1_000_000_000_000;
  let events = 0;
  const last = new Float64Array(volumes);
  for (let p = 0; p < pageCount; p++) {
    const page = new Uint8Array(PAGE_BYTES);
    const view = new DataView(page.buffer);
    view.setBigUint64(0, BigInt(timeNs), true);
    let at = 16;
    let pageTimeNs = timeNs;
    while (at + EVENT_BYTES + 8 <= PAGE_BYTES) {
      const gapNs = Math.round(-Math.log(1 - random()) * meanGapNs);
      let delta = gapNs;
      if (gapNs >= 2 ** 27) {
        // time extend: 8 bytes, the high bits in the second word
        view.setUint32(at, ((gapNs % 2 ** 27) * 32 + 30) >>> 0, true);
        view.setUint32(at + 4, Math.floor(gapNs / 2 ** 27), true);
        at += 8;
        delta = 0;
      }
      view.setUint32(at, (delta * 32 + 14) >>> 0, true);
      const d = at + 4;
      const v = Math.floor(random() * volumes);
      const sectors = random() < 0.125 ? 128 : 8;
      const sector = random() < 0.02 ? last[v]! : Math.floor(random() * (VOLUME_SECTORS / 8)) * 8;
      last[v] = sector + sectors;
      view.setUint16(d, layout.eventId, true);
      view.setUint32(d + layout.devOffset, devOf(v), true);
      view.setBigUint64(d + layout.sectorOffset, BigInt(sector), true);
      view.setUint32(d + layout.nrSectorOffset, sectors, true);
      page[d + layout.rwbsOffset] = 87; // 'W'
      page[d + layout.rwbsOffset + 1] = 83; // 'S'
      at += EVENT_BYTES;
      pageTimeNs += gapNs;
      events++;
    }
    view.setUint32(8, at - 16, true); // commit: data length
    pages.push(page);
    timeNs = pageTimeNs;
  }
  return { pages, spanNs: timeNs - 1_000_000_000_000 + meanGapNs, events };
}

const { pages, spanNs, events: eventsPerPass } = generatePages();
const perPage = (eventsPerPass / pageCount).toFixed(1);
console.log(
  `${pageCount} pages of ${PAGE_BYTES} B, ${eventsPerPass} events (${perPage} per page), ` +
    `${volumes} volumes, ${(spanNs / 1e9).toFixed(3)} s of trace per pass`,
);

/** Replay every page `passes` times for at least `seconds`; returns events decoded and seconds. */
function replay(track: boolean): { events: number; seconds: number; cpuS: number; intervals: number } {
  const volumeOfDev = new Map<number, number>();
  for (let v = 0; v < volumes; v++) volumeOfDev.set(devOf(v), v);
  const tracker = new Tracker({ intervalS: 1, trackBytes: 65536, lateIntervals: 1 });
  const batch = new IoBatch((b) => tracker.add(b));
  let offsetUs = 0;
  let counted = 0;
  const sink = track
    ? {
        bio: (timeNs: number, dev: number, sector: number, sectors: number): void => {
          const volume = volumeOfDev.get(dev);
          if (volume === undefined) return;
          batch.push(volume, Math.floor(timeNs / 1000) + offsetUs, sector * 512, sectors * 512, true);
        },
      }
    : { bio: (): void => void counted++ };
  let events = 0;
  let intervals = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + Number(values.seconds) * 1000;
  for (let pass = 0; performance.now() < until; pass++) {
    offsetUs = Math.round((pass * spanNs) / 1000); // each pass continues the clock
    for (const page of pages) events += decodeRingPage(page, PAGE_BYTES, layout, sink);
    if (track) {
      batch.flush();
      tracker.closeEndedBy(Math.floor((1_000_000_000_000 + spanNs) / 1000) + offsetUs - 2e6);
      intervals += tracker.drainClosed().length;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (!track && counted !== events) throw new Error('decoder and sink disagree');
  return { events, seconds, cpuS: (cpu.user + cpu.system) / 1e6, intervals };
}

for (const track of [false, true]) {
  const r = replay(track);
  const what = track ? 'decode + track + close intervals' : 'decode only';
  console.log(
    `${what}: ${r.events} events in ${r.seconds.toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU: ` +
      `${(r.events / r.seconds / 1e6).toFixed(2)} M events/s per core (wall), ` +
      `${(r.events / r.cpuS / 1e6).toFixed(2)} M events/s per CPU-second` +
      (track ? `; ${r.intervals} (volume, interval) records closed` : ''),
  );
}
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average ${load}`);
