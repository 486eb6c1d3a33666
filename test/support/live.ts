import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const TRACEFS = '/sys/kernel/tracing';

/**
 * Why live tests (`what`, for the printed reason) cannot run here, or false: they need root,
 * losetup, tracefs (mounted here if it is not) and the block_bio_queue tracepoint.
 */
export function liveMissing(what: string): string | false {
  let reason: string | false = false;
  if (process.getuid?.() !== 0) reason = 'not root';
  else if (spawnSync('losetup', ['--version']).status !== 0) reason = 'losetup is absent';
  else if (!existsSync(join(TRACEFS, 'instances'))
    && spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { timeout: 30_000 }).status !== 0) {
    reason = 'tracefs is absent and cannot be mounted';
  } else if (!existsSync(join(TRACEFS, 'events', 'block', 'block_bio_queue'))) {
    reason = 'the block_bio_queue tracepoint is absent';
  }
  if (reason) console.log(`# skip: ${what}: ${reason}`);
  return reason;
}
