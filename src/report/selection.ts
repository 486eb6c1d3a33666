import { globMatch, scopeIncludes, type Scope } from '../scope/scope.js';
import { UsageError } from '../errors.js';
import type { StoreSettings, VolumeSpan } from '../store/store.js';
import { isoFromS, type TimeRange } from '../units/time.js';
import { spanWindow, type CellSource } from './cells.js';
import { Timeline } from './timeline.js';

/**
 * Which volumes a report covers: those in scope and, when `group` is given, in that group, less
 * those matching an `exclude` glob (swap, tempdb, scratch disks).
 */
export function volumeFilter(
  scope: Scope,
  group: string | null,
  exclude: readonly string[] = [],
): (volume: string) => boolean {
  let members: string[] | null = null;
  if (group !== null) {
    const g = scope.groups.find((x) => x.name === group);
    const declared = scope.groups.map((x) => x.name).join(', ') || 'none';
    if (!g) throw new UsageError(`unknown group "${group}"; the scope declares: ${declared}`);
    members = g.volumes;
  }
  return (v) =>
    scopeIncludes(scope, v) &&
    (members === null || members.some((p) => globMatch(p, v))) &&
    !exclude.some((p) => globMatch(p, v));
}

/** The selected volumes with cells in the window, and the window (default: all they hold). */
export async function selectedWindow(
  source: CellSource,
  settings: StoreSettings,
  range: TimeRange | null,
): Promise<{ window: TimeRange; volumes: VolumeSpan[] }> {
  const from = range === null ? null : Math.floor(range.fromS / settings.intervalS) * settings.intervalS;
  const volumes = await source.spans(from, range?.toS ?? null);
  const window = spanWindow(volumes, settings.intervalS);
  if (window === null) throw await nothingSelected(source, settings, range);
  return { window: range ?? window, volumes };
}

/**
 * The planning view of the selected volumes over the window (default: all collected), loaded
 * volume by volume and packed.
 */
export async function loadTimeline(
  source: CellSource,
  settings: StoreSettings,
  range: TimeRange | null,
): Promise<Timeline> {
  const from = range === null ? null : Math.floor(range.fromS / settings.intervalS) * settings.intervalS;
  const spans = await source.spans(from, range?.toS ?? null);
  const window = spanWindow(spans, settings.intervalS);
  if (window === null) throw await nothingSelected(source, settings, range);
  const fromS = range?.fromS ?? window.fromS;
  const toS = range?.toS ?? window.toS;
  return Timeline.load(
    source,
    spans.map((s) => s.volume),
    settings.intervalS,
    settings.trackBytes,
    fromS,
    toS,
  );
}

/**
 * The error for a selection without any collected interval: it says which range the selected
 * volumes do hold, so a mistyped window is seen at once (every command fails the same way).
 */
export async function nothingSelected(
  source: CellSource,
  settings: StoreSettings,
  range: TimeRange | null,
): Promise<UsageError> {
  const all = spanWindow(await source.spans(null, null), settings.intervalS);
  const asked = range === null ? '' : ` in ${isoFromS(range.fromS)} to ${isoFromS(range.toS)}`;
  const held = all === null ? 'no intervals at all' : `${isoFromS(all.fromS)} to ${isoFromS(all.toS)} (UTC)`;
  return new UsageError(`no collected intervals${asked} for this selection; it holds ${held}`);
}
