import type { RunInfo, Store } from '../store/store.js';
import { ownerAlive } from './owner.js';

/**
 * When a store's settings refuse a collection and every run the store holds is an interrupted
 * collection of this host (still `running`, its process gone: invisible to reports, never to
 * complete), remove those runs — the settings go with the last one — and return true, so a
 * corrected command after a Ctrl-C is not bound by the settings of what was interrupted. Any
 * other run (complete, live, running elsewhere or still running here) keeps the store as it is.
 */
export async function freeSettingsOfInterrupted(store: Store, host: string): Promise<boolean> {
  const runs = await store.listRuns();
  const interrupted = runs.filter((r) => interruptedHere(r, host));
  if (runs.length === 0 || interrupted.length < runs.length) return false;
  for (const r of interrupted) await store.abortRun(r.id);
  return true;
}

/** A run of `host` still marked running whose collecting process is gone (or never recorded). */
export function interruptedHere(run: RunInfo, host: string): boolean {
  return run.status === 'running' && run.host === host && (run.owner == null || !ownerAlive(run.owner));
}
