import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { ROOT } from '../helpers.js';
import { trackChild } from './cleanup.js';

/** What a CLI child process did: exit code, output and peak memory. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size (KiB) as the child measured it at exit; null if it died first. */
  maxRssKiB: number | null;
}

export interface ChildOptions {
  /** Fed to the child's stdin (a stream, e.g. a lazy generator via Readable.from). */
  stdin?: Readable | string | Uint8Array;
  /** V8 heap limit for the child, so a defect fails the test instead of eating the machine. */
  maxOldSpaceMiB?: number;
  /** Kill the child after this many ms (the test then fails on the signal). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const KEEP = 64 * 1024; // characters of stdout/stderr kept: enough for any message

/**
 * Run `churnlink ARGS` (the built bin) in a child process and measure its peak RSS. Output is
 * kept up to 64 KiB per stream so a runaway child cannot exhaust the test's memory; the child is
 * killed at the deadline.
 */
export function runChild(args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  const preload = pathToFileURL(join(ROOT, 'dist', 'test', 'support', 'rss-preload.js')).href;
  const nodeArgs = ['--import', preload];
  if (options.maxOldSpaceMiB !== undefined) nodeArgs.push(`--max-old-space-size=${options.maxOldSpaceMiB}`);
  const child = trackChild(
    spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'churnlink.js'), ...args], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd ?? ROOT,
    }),
  );
  let stdout = '';
  let stderr = '';
  let extra = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    if (stdout.length < KEEP) stdout += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < KEEP) stderr += s;
  });
  (child.stdio[3] as Readable).setEncoding('utf8').on('data', (s: string) => {
    extra += s;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const input = options.stdin;
  child.stdin!.on('error', () => {
    /* the child may exit before reading everything (EPIPE) */
  });
  if (input === undefined) child.stdin!.end();
  else if (typeof input === 'string' || input instanceof Uint8Array) child.stdin!.end(input);
  else {
    input.on('error', () => child.stdin!.destroy());
    input.pipe(child.stdin!);
    child.on('exit', () => input.destroy());
  }
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const m = /maxrss_kib=(\d+)/.exec(extra);
      resolve({ code, signal, stdout, stderr, maxRssKiB: m ? Number(m[1]) : null });
    });
  });
}
