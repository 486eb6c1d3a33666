import type { ChildProcess } from 'node:child_process';

/*
 * The safety net of test files that start processes, servers or devices: each registers what it
 * started here and calls `after(cleanUp)` at top level, so a failing test cannot leave a child
 * running (which would keep the test file, and `npm test`, from ever exiting). `process.on('exit')`
 * runs the same list as a last resort.
 */

const tasks = new Map<number, { what: string; run: () => void }>();
let nextId = 0;

/** Run `task` when the file's tests end (or the process exits); returns a function that runs it now. */
export function deferCleanup(what: string, run: () => void): () => void {
  const id = nextId++;
  tasks.set(id, { what, run });
  return () => {
    const task = tasks.get(id);
    if (task === undefined) return;
    tasks.delete(id);
    task.run();
  };
}

/** Kill `child` with SIGKILL at clean-up unless it has exited by then. */
export function trackChild<C extends ChildProcess>(child: C): C {
  const release = deferCleanup(`child ${child.pid}: ${child.spawnargs.slice(1).join(' ')}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.once('exit', release);
  return child;
}

/**
 * Run every registered clean-up, newest first (children before the servers they use). A failing
 * one does not stop the others; the first failure is thrown at the end.
 */
export function cleanUp(): void {
  let failure: unknown = null;
  for (const id of [...tasks.keys()].reverse()) {
    const task = tasks.get(id)!;
    tasks.delete(id);
    try {
      task.run();
    } catch (err) {
      failure ??= new Error(`clean-up of ${task.what} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  if (failure !== null) throw failure;
}

process.on('exit', () => {
  try {
    cleanUp();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
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

/** Wait until `check` holds, polling every `everyMs`; reject naming `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>, what: string, timeoutMs: number, everyMs = 20,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
