/**
 * churnlink as a library: collect traces into a store, then compute churn reports, replication
 * models, simulations and link plans from it, and render them. The CLI (`bin/churnlink.js`) is
 * built on these same functions. Durations are seconds (`cycleS`), bandwidths bit/s (`linkBps`),
 * sizes bytes; times are epoch seconds, UTC. Nothing here prints; errors are `InputError` (bad
 * input, naming file, line and field) or `UsageError` (a bad parameter, named as in this API).
 */
export { InputError, UsageError } from './errors.js';
export type { Warning } from './warnings.js';

// Stores and collection
export { openStore } from './store/open.js';
export type { Store, StoreSettings } from './store/store.js';
export { collect, type CollectInput, type CollectInputOptions } from './api/collect.js';
export type { CollectSummary, SourceSummary } from './collect/run.js';
export { formatNames } from './readers/index.js';
export { parseScope, type Scope } from './scope/scope.js';
export type { Selection } from './api/selection.js';

// Churn reports and link math
export { churnReport, churnRows, type ChurnReport, type ChurnReportOptions, type LinkOptions } from './api/churn.js';
export type { ChurnRow, ReportBy } from './report/churn.js';
export type { Per } from './report/window.js';
export type { Sizing, SizingRequest } from './report/sizing.js';
export type { LinkParams } from './report/link.js';
export { requiredBandwidthBps, pathsNeeded, resyncSeconds, sizeLink } from './api/link-math.js';

// Replication models, simulation and planning
export {
  replicationModels,
  simulateReplication,
  planLink,
  cycleLengths,
  linkSweep,
  type PlanningOptions,
  type ModelsOptions,
  type ModelsReport,
  type SimulateOptions,
  type Simulation,
  type PlanOptions,
  type LinkPlan,
  type CycleLengthOptions,
  type SweepOptions,
} from './api/planning.js';
export type { ModelRow } from './report/models.js';
export type { SimulationResult } from './report/simulate.js';
export type { PlanResult } from './report/plan.js';
export type { CycleLengthRow } from './report/cycle-length.js';
export type { SweepRow } from './report/sweep.js';

// Rendering
export {
  renderChurn,
  renderModels,
  renderSimulation,
  renderPlan,
  htmlReport,
  type RenderFormat,
  type HtmlReportOptions,
} from './api/render.js';

// Units: parsing and formatting
export { parseBandwidthBps, parseLink, formatBandwidth, type Link } from './units/bandwidth.js';
export { parseBytes, formatBytes } from './units/bytes.js';
export { parseDurationS, formatDuration } from './units/duration.js';
export { parseTimeS, parseTimeRange, type TimeRange } from './units/time.js';
export { parseTrackBytes, TRACK_PRESETS } from './units/track.js';
