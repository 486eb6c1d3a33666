import { readFileSync } from 'node:fs';

/**
 * When process `pid` started, as the kernel counts it (clock ticks since boot: field 22 of
 * /proc/PID/stat), or null when there is no such process or no /proc. A PID is reused by
 * unrelated processes; the pair (PID, start time) is not.
 */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ")": skip past the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // field 22 overall; fields[0] is field 3
}

/** This process as an owner tag: `PID:START`. */
export function ownerTag(pid = process.pid): string {
  return `${pid}:${processStartTime(pid) ?? '?'}`;
}

/**
 * Whether the process an owner tag names still runs: same PID and same start time. Without
 * /proc (start time `?`), a live PID counts as running.
 */
export function ownerAlive(tag: string): boolean {
  const m = /^(\d+):(\d+|\?)$/.exec(tag);
  if (!m) return false;
  const pid = Number(m[1]);
  if (m[2] !== '?') return processStartTime(pid) === m[2];
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
