import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import type { IntervalRow } from './store.js';

/** A batch of closed intervals waiting for the central store to acknowledge it. */
export interface OutboxBatch {
  runId: number;
  seq: number;
  rows: IntervalRow[];
}

const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * A local SQLite spool for a collector that writes to a remote store: each closed interval is
 * committed here first and deleted only when the remote store has acknowledged it, so neither a
 * lost connection nor a crashed collector loses a closed interval. Batches carry the run and a
 * sequence number; the remote store ignores a batch it already has (exactly once).
 */
export class Outbox {
  readonly #db: Database.Database;

  constructor(readonly path: string) {
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS outbox (run_id INTEGER NOT NULL, seq INTEGER NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (run_id, seq))',
      );
    } catch (err) {
      throw new UsageError(`--spool: cannot use ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The next sequence number for a run (after any it already spooled). */
  nextSeq(runId: number): number {
    return (
      ((this.#db.prepare('SELECT max(seq) FROM outbox WHERE run_id = ?').pluck().get(runId) as number | null) ?? 0) + 1
    );
  }

  add(batch: OutboxBatch): void {
    const rows = batch.rows.map((r) => ({ ...r, bitmap: b64(r.bitmap), writeProfile: b64(r.writeProfile) }));
    this.#db
      .prepare('INSERT INTO outbox (run_id, seq, rows) VALUES (?, ?, ?)')
      .run(batch.runId, batch.seq, JSON.stringify(rows));
  }

  /** Spooled batches, oldest first. */
  pending(): OutboxBatch[] {
    const rows = this.#db.prepare('SELECT run_id AS runId, seq, rows FROM outbox ORDER BY run_id, seq').all() as {
      runId: number;
      seq: number;
      rows: string;
    }[];
    return rows.map((b) => ({
      runId: b.runId,
      seq: b.seq,
      rows: (
        JSON.parse(b.rows) as (Omit<IntervalRow, 'bitmap' | 'writeProfile'> & {
          bitmap: string;
          writeProfile: string;
        })[]
      ).map((r) => ({ ...r, bitmap: bytesOf(r.bitmap), writeProfile: bytesOf(r.writeProfile) })),
    }));
  }

  remove(runId: number, seq: number): void {
    this.#db.prepare('DELETE FROM outbox WHERE run_id = ? AND seq = ?').run(runId, seq);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
