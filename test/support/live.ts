import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deferCleanup } from './cleanup.js';

export const TRACEFS = '/sys/kernel/tracing';

/**
 * Why live tests (`what`, for the printed reason) cannot run here, or false: they need root,
 * losetup, tracefs (mounted here if it is not) and the block_bio_queue tracepoint.
 */
export function liveMissing(what: string): string | false {
  let reason: string | false = false;
  if (process.getuid?.() !== 0) reason = 'not root';
  else if (spawnSync('losetup', ['--version']).status !== 0) reason = 'losetup is absent';
  else if (
    !existsSync(join(TRACEFS, 'instances')) &&
    spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { timeout: 30_000 }).status !== 0
  ) {
    reason = 'tracefs is absent and cannot be mounted';
  } else if (!existsSync(join(TRACEFS, 'events', 'block', 'block_bio_queue'))) {
    reason = 'the block_bio_queue tracepoint is absent';
  }
  if (reason) console.log(`# skip: ${what}: ${reason}`);
  return reason;
}

/**
 * A loop device over a fresh 64 MiB file in `dir`, without read-ahead (reads are exactly what
 * is asked), detached at the test file's clean-up.
 */
export function loopDevice(dir: string, name: string): string {
  const file = join(dir, name);
  execFileSync('truncate', ['-s', '64M', file]);
  const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  deferCleanup(`loop device ${dev}`, () => void spawnSync('losetup', ['-d', dev]));
  execFileSync('blockdev', ['--setra', '0', dev]);
  return dev;
}

/**
 * Wait until `offsetMs` into the next interval of `intervalMs` (a wall-clock time the collector
 * closes intervals by, not a guess); returns that interval's start (s).
 */
export async function untilIntervalOffset(intervalMs: number, offsetMs: number): Promise<number> {
  const now = Date.now();
  const next = Math.ceil((now - offsetMs) / intervalMs) * intervalMs + offsetMs;
  await new Promise<void>((resolve) => setTimeout(resolve, next - now));
  return (Math.floor(next / intervalMs) * intervalMs) / 1000;
}
