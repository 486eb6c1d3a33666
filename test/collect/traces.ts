/** An MSR trace of `writes` 4 KiB writes to `host`, disk 0, one per `stepS` from 2026-01-05T00:00:00Z. */
export function msrTrace(host: string, writes: number, stepS = 1, firstS = 1767571200): string {
  const lines: string[] = [];
  // FILETIME counts 100 ns ticks since 1601-01-01, 11,644,473,600 s before the Unix epoch.
  for (let i = 0; i < writes; i++)
    lines.push(`${(BigInt(firstS + i * stepS) + 11644473600n) * 10000000n},${host},0,Write,${i * 65536},4096,100`);
  return lines.join('\n') + '\n';
}
