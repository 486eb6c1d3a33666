/**
 * churnlink as a library: readers, the tracker, the stores, the pure report functions and the
 * link math. The CLI (`bin/churnlink.js`) is built from these same pieces.
 */
export { InputError, UsageError } from './errors.js';
export { Warnings, type Warning } from './warnings.js';
export { readers, readerByName, sniffReader, formatNames } from './readers/index.js';
export type { Reader, Decoder, DecodeContext, DecodeStats } from './readers/reader.js';
export { IoBatch } from './readers/batch.js';
export { VolumeTable } from './readers/volumes.js';
export { parseCsvMapping, type CsvMapping } from './readers/csv-mapping.js';
export { Tracker, type IntervalRecord, type TrackerOptions } from './collect/tracker.js';
export { intervalStartUs, tracksFromExtent } from './collect/interval.js';
export { parseScope, type Scope, type Extent } from './scope/scope.js';
export { collectSources, type CollectOptions, type CollectSummary } from './collect/run.js';
export { openSource, type Source } from './sources/file.js';
export type {
  Store, StoreSettings, IntervalRow, RunInfo, SourceInfo, VolumeInfo, IntervalScan, StoredChunk, VolumeSpan,
} from './store/store.js';
export { SqliteStore } from './store/sqlite.js';
export { serializeRoaring, walkRoaring, decodeRoaring, roaringCardinality, orRoaringInto } from './bitmap/roaring.js';
export { Bitset } from './bitmap/bitset.js';
export { RoaringUnion } from './bitmap/roaring-union.js';
export { RoaringWriter } from './bitmap/roaring-writer.js';
export {
  cellsFromRows, memoryCellSource, storeCellSource, type Cell, type CellMap, type CellSource,
} from './report/cells.js';
export {
  computeChurn, planChurn, streamChurn, type ChurnPlan, type ChurnRow, type ChurnRequest, type ReportBy,
} from './report/churn.js';
export { scanModels } from './report/model-scan.js';
export { planBuckets, type Bucket, type Per } from './report/window.js';
export { summarize, percentile, type SeriesSummary } from './report/percentile.js';
export { requiredBandwidthBps, pathsNeeded, bandwidthPerPathBps, resyncSeconds, wireBytes, type LinkParams } from './report/link.js';
export { sizeLink, type Sizing, type SizingRequest } from './report/sizing.js';
export { parseBandwidthBps, parseLink, formatBandwidth, type Link } from './units/bandwidth.js';
export { parseBytes, formatBytes } from './units/bytes.js';
export { parseDurationS, formatDuration } from './units/duration.js';
export { parseTrackBytes, TRACK_PRESETS } from './units/track.js';
export { parseTimeS, parseTimeRange } from './units/time.js';
