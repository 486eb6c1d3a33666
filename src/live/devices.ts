import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';

/** A block device to watch. */
export interface BlockDevice {
  path: string;
  /** Short name (`sdb`, `nvme0n1p2`), used in volume names. */
  name: string;
  major: number;
  minor: number;
  /** The kernel's internal dev_t (major << 20 | minor), as the block tracepoints carry it. */
  kernelDev: number;
}

/** Resolve a device path to its numbers; refuses anything that is not a block device. */
export function blockDevice(path: string): BlockDevice {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new UsageError(`--device ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isBlockDevice()) throw new UsageError(`--device ${path} is not a block device`);
  // glibc's dev_t encoding: major in bits 8-19 (and 32+), minor in bits 0-7 and 20-31.
  const rdev = st.rdev;
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  return { path, name: basename(path), major, minor, kernelDev: major * 2 ** 20 + minor };
}
