import type { ChildProcess } from 'node:child_process';

/*
 * The safety net of test files that start processes, servers or devices: each registers what it
 * started here and calls `after(cleanUp)` at top level, so a failing test cannot leave a child
 * running (which would keep the test file, and `npm test`, from ever exiting). `process.on('exit')`
 * runs the same list as a last resort.
 */

const tasks = new Map<number, { what: string; run: () => void | Promise<void> }>();
let nextId = 0;

/** Run `task` when the file's tests end (or the process exits); returns a function that runs it now. */
export function deferCleanup(what: string, run: () => void | Promise<void>): () => void {
  const id = nextId++;
  tasks.set(id, { what, run });
  return () => void tasks.delete(id);
}

/** Kill `child` with SIGKILL at clean-up, and wait until it is gone, unless it has exited by then. */
export function trackChild<C extends ChildProcess>(child: C): C {
  const forget = deferCleanup(`child ${child.pid}: ${child.spawnargs.slice(1).join(' ')}`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await Promise.race([gone, new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
  });
  child.once('exit', forget);
  return child;
}

/**
 * Run every registered clean-up, newest first (children before the servers they use), each
 * awaited. A failing one does not stop the others; the first failure is thrown at the end.
 */
export async function cleanUp(): Promise<void> {
  let failure: unknown = null;
  for (const id of [...tasks.keys()].reverse()) {
    const task = tasks.get(id);
    if (task === undefined) continue; // a child that exited meanwhile
    tasks.delete(id);
    try {
      await task.run();
    } catch (err) {
      failure ??= new Error(`clean-up of ${task.what} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  if (failure !== null) throw failure;
}

// Last resort when a file exits without its after(): what can be done synchronously is done.
process.on('exit', () => {
  for (const [id, task] of tasks) {
    tasks.delete(id);
    try {
      void Promise.resolve(task.run()).catch(() => undefined);
    } catch (err) {
      process.stderr.write(`clean-up of ${task.what} failed: ${(err as Error).message}\n`);
    }
  }
});

/**
 * The exit code of `child`, or a rejection naming `what` if it has not exited within `timeoutMs`
 * (the child is then killed). Every wait on a child has a deadline.
 */
export function exitOf(child: ChildProcess, what: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: no exit within ${timeoutMs} ms (killed)`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Wait until `check` holds, polling every `everyMs`; reject naming `what` after `timeoutMs`. `what`
 * may be a function, called at the deadline: it can add what was seen (a child's output so far).
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
