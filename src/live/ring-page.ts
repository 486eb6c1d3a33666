/**
 * Decoding of the kernel's trace ring-buffer pages as `per_cpu/cpuN/trace_pipe_raw` returns them
 * (layout in tracefs `events/header_page` and `events/header_event`): a page header (u64
 * timestamp, u64 commit whose low bits are the data length), then events, each a 32-bit header of
 * type_len (5 bits) and time_delta (27 bits). Only block_bio_queue events are decoded; reading
 * binary pages spares the kernel formatting text and us parsing it.
 */

/** Where block_bio_queue keeps its fields (from its tracefs `format` file). */
export interface BioLayout {
  eventId: number;
  devOffset: number;
  sectorOffset: number;
  nrSectorOffset: number;
  rwbsOffset: number;
  rwbsSize: number;
}

export interface BioSink {
  /** One bio: trace-clock time in ns, the kernel dev_t, its first sector and sector count. */
  bio(timeNs: number, dev: number, sector: number, sectors: number, write: boolean): void;
}

const PAGE_HEADER_BYTES = 16;
const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const LENGTH_MASK = (1 << 30) - 1; // the two top commit bits flag missed events
const W = 87;
const D = 68;

/** Parse block_bio_queue's field offsets from its tracefs format text. */
export function bioLayoutOf(format: string): BioLayout {
  const id = /^ID: (\d+)$/m.exec(format);
  const field = (name: string): { offset: number; size: number } => {
    const m = new RegExp(`field:[^;]*\\b${name}(\\[\\d+\\])?;\\s*offset:(\\d+);\\s*size:(\\d+);`).exec(format);
    if (!m) throw new Error(`block_bio_queue format has no field ${name}`);
    return { offset: Number(m[2]), size: Number(m[3]) };
  };
  if (!id) throw new Error('block_bio_queue format has no ID');
  const rwbs = field('rwbs');
  return {
    eventId: Number(id[1]),
    devOffset: field('dev').offset,
    sectorOffset: field('sector').offset,
    nrSectorOffset: field('nr_sector').offset,
    rwbsOffset: rwbs.offset,
    rwbsSize: rwbs.size,
  };
}

/** Decode the events of one page (`bytes` long); returns the number of bios handed to `sink`. */
export function decodeRingPage(page: Uint8Array, bytes: number, layout: BioLayout, sink: BioSink): number {
  if (bytes < PAGE_HEADER_BYTES) return 0;
  const view = new DataView(page.buffer, page.byteOffset, bytes);
  let timeNs = Number(view.getBigUint64(0, true));
  const end = Math.min(bytes, PAGE_HEADER_BYTES + (view.getUint32(8, true) & LENGTH_MASK));
  let bios = 0;
  for (let p = PAGE_HEADER_BYTES; p + 4 <= end;) {
    const header = view.getUint32(p, true);
    const typeLen = header & 0x1f;
    const delta = header >>> 5;
    if (typeLen === TYPE_PADDING) {
      if (delta === 0 || p + 8 > end) break; // the rest of the page is empty
      timeNs += delta;
      p += 4 + view.getUint32(p + 4, true);
      continue;
    }
    if (typeLen === TYPE_TIME_EXTEND) {
      timeNs += view.getUint32(p + 4, true) * 2 ** 27 + delta;
      p += 8;
      continue;
    }
    if (typeLen === TYPE_TIME_STAMP) {
      timeNs = view.getUint32(p + 4, true) * 2 ** 27 + delta;
      p += 8;
      continue;
    }
    let data: number;
    let length: number;
    if (typeLen === 0) {
      length = view.getUint32(p + 4, true) - 4;
      data = p + 8;
    } else {
      length = typeLen * 4;
      data = p + 4;
    }
    timeNs += delta;
    if (data + length > end) break;
    if (length >= layout.rwbsOffset + layout.rwbsSize && view.getUint16(data, true) === layout.eventId) {
      let write = false;
      let discard = false;
      for (let i = data + layout.rwbsOffset, last = i + layout.rwbsSize; i < last && page[i] !== 0; i++) {
        if (page[i] === W) write = true;
        else if (page[i] === D) discard = true;
      }
      const sectors = view.getUint32(data + layout.nrSectorOffset, true);
      if (write && !discard && sectors > 0) {
        sink.bio(
          timeNs,
          view.getUint32(data + layout.devOffset, true),
          Number(view.getBigUint64(data + layout.sectorOffset, true)),
          sectors,
          true,
        );
        bios++;
      }
    }
    p = data + length;
  }
  return bios;
}
