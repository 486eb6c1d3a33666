/**
 * SQLite returns SQLITE_BUSY from some lock changes without calling its busy handler (switching a
 * new file to WAL while another connection does the same is one), so `busy_timeout` does not cover
 * them. These are retried here, with short waits, until the same deadline.
 */

const STEP_MS = 5;
const MAX_STEP_MS = 100;

export function retryBusy<T>(action: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let step = STEP_MS;
  for (;;) {
    try {
      return action();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
    }
    // Blocks this thread only: the store's calls are synchronous anyway.
    Atomics.wait(pause, 0, 0, Math.min(step, Math.max(1, deadline - Date.now())));
    step = Math.min(step * 2, MAX_STEP_MS);
  }
}
