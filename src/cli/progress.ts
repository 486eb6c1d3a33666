import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { escapeTerminal } from '../render/escape.js';

/**
 * A progress line on stderr for long collections: bytes read of the total, records/s and ETA,
 * redrawn at most every 250 ms. Only on a TTY and without --quiet; nothing goes to stdout.
 */
export class Progress {
  readonly #enabled: boolean;
  readonly #startMs = Date.now();
  #lastMs = 0;
  #shown = false;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  update(p: { source: string; bytesRead: number; bytesTotal: number | null; records: number }): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastMs < 250) return;
    this.#lastMs = now;
    const elapsedS = Math.max((now - this.#startMs) / 1000, 1e-3);
    const rate = p.records / elapsedS;
    let text = `${escapeTerminal(p.source)}: ${formatBytes(p.bytesRead)}`;
    if (p.bytesTotal) {
      const fraction = p.bytesRead / p.bytesTotal;
      const etaS = fraction > 0 ? (elapsedS * (1 - fraction)) / fraction : Infinity;
      text += ` of ${formatBytes(p.bytesTotal)} (${(fraction * 100).toFixed(1)} %), ETA ${formatDuration(etaS)}`;
    }
    text += `, ${(rate / 1e6).toFixed(2)} M records/s, ${(p.bytesRead / 1048576 / elapsedS).toFixed(0)} MiB/s`;
    process.stderr.write(`\r${text}\x1b[K`);
    this.#shown = true;
  }

  done(): void {
    if (this.#shown) process.stderr.write('\r\x1b[K');
  }
}
