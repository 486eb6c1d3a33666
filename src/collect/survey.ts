import { readerByName, sniffReader, type Reader } from '../readers/index.js';
import type { Survey } from '../readers/reader.js';
import type { Source } from '../sources/file.js';

/** Bytes of the head the format is told from (the same as when decoding). */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The first pass of readers that need one (`Reader.survey`): every file source of such a format
 * is read once through its reader's survey before anything is decoded, so that facts only the
 * end of all inputs tells (blktrace's earliest event, whether queue events exist) are exact when
 * decoding starts. Plain files of other formats cost nothing (their head is sniffed); compressed
 * ones are decompressed up to the sniffed head. Standard input cannot be read twice and is left
 * out: its reader then decides from the stream alone. Returns one survey per reader.
 */
export async function surveySources(
  sources: Source[],
  format: string | null,
  skipBad: boolean,
): Promise<Map<Reader, Survey>> {
  const surveys = new Map<Reader, Survey>();
  const named = format === null ? null : readerByName(format);
  if (named !== null && named.survey === undefined) return surveys;
  for (const source of sources) {
    if (source.path === null) continue;
    let reader = named;
    if (reader === null && source.compression === null && source.head !== null) {
      reader = sniffed(source.head.subarray(0, SNIFF_BYTES), source.name);
      if (reader?.survey === undefined) continue;
    }
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let survey: Survey | null = null;
    for await (const chunk of source.chunks(false)) {
      if (survey === null) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (reader === null) {
          if (pendingBytes < SNIFF_BYTES) continue;
          reader = sniffed(concat(pending, SNIFF_BYTES), source.name);
        }
        if (reader?.survey === undefined) break;
        survey = surveys.get(reader) ?? surveys.set(reader, reader.survey(skipBad)).get(reader)!;
        let more = true;
        for (const c of pending.splice(0)) more &&= survey.push(c);
        if (!more) break;
      } else if (!survey.push(chunk)) break;
      if (survey.done) break;
    }
    if (survey === null && reader === null && pendingBytes > 0) {
      reader = sniffed(concat(pending, pendingBytes), source.name);
      if (reader?.survey !== undefined) {
        survey = surveys.get(reader) ?? surveys.set(reader, reader.survey(skipBad)).get(reader)!;
        for (const c of pending) if (!survey.push(c)) break;
      }
    }
    survey?.endInput();
  }
  return surveys;
}

/** The reader sniffed from `head`, or null when none fits (decoding then fails with the message). */
function sniffed(head: Uint8Array, name: string): Reader | null {
  if (head.length === 0) return null;
  try {
    return sniffReader(head, name);
  } catch {
    return null;
  }
}

/** The first `limit` bytes of `chunks`, in one array. */
export function concat(chunks: Uint8Array[], limit: number): Uint8Array {
  const out = new Uint8Array(
    Math.min(
      limit,
      chunks.reduce((n, c) => n + c.length, 0),
    ),
  );
  let p = 0;
  for (const c of chunks) {
    if (p >= out.length) break;
    const take = Math.min(c.length, out.length - p);
    out.set(c.subarray(0, take), p);
    p += take;
  }
  return out;
}
