import { writeSync } from 'node:fs';

/**
 * Preloaded (`node --import`) into CLI children that tests measure: at exit, writes the peak
 * resident set size in KiB to file descriptor 3, which `runChild` opens as a pipe.
 */
process.on('exit', () => {
  try {
    writeSync(3, `maxrss_kib=${process.resourceUsage().maxRSS}\n`);
  } catch {
    // fd 3 not open: run outside the harness
  }
});
