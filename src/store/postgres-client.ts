import pg from 'pg';
import { UsageError } from '../errors.js';
import { scrubSecrets } from './location.js';

/**
 * A node-postgres client that closes its socket when connecting fails. node-postgres reports an
 * authentication that fails on the client's side (no password for a server that asks for one)
 * but leaves the socket open, so the process waited for the server's `authentication_timeout`
 * (60 s by default) before it could exit.
 */
type ConnectCallback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);

export class ClosingClient extends pg.Client {
  // Both forms node-postgres offers: a callback (as the pool uses) or a promise.
  override connect(): Promise<pg.Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
    if (callback === undefined) {
      return super.connect().catch((err: unknown) => {
        this.#destroy();
        throw err;
      });
    }
    return super.connect((err: Error | null, client?: pg.Client) => {
      if (err) this.#destroy();
      (callback as (err: Error | null, client?: pg.Client) => void)(err, client);
    });
  }

  #destroy(): void {
    (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** Errors after which the same statement may succeed on a new connection. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && /^(08|57P0[123]|53300|40001|40P01)/.test(e.code)) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code))
    return true;
  return /Connection terminated|connection.*(closed|ended)|Client has encountered a connection error|timeout exceeded/i.test(
    e.message ?? '',
  );
}

/** What to do about a refusal the user can fix, when the message alone does not say. */
export function refusalHint(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (/client password must be a (non-empty )?string/.test(e.message ?? '')) {
    return ': the server asks for a password; give it in the URL, in PGPASSWORD or in ~/.pgpass (mode 0600)';
  }
  if (e.code === '42501') {
    return ': this role needs SELECT on every churnlink_ table to read (and INSERT, UPDATE and DELETE to collect)';
  }
  return '';
}

/**
 * The error a command shows for a failure of the PostgreSQL store at `location` (redacted), with
 * the URL's secrets scrubbed from the server's message: a refusal the user can fix (a role's
 * privileges, a password) is a usage error (exit 2); a connection lost during the command is the
 * environment (exit 1), named as such; any other error is returned as it was.
 */
export function storeError(err: unknown, location: string, url: string): unknown {
  if (err instanceof UsageError || !(err instanceof Error)) return err;
  const why = scrubSecrets(err.message, url);
  const code = (err as { code?: string }).code;
  if (code === '42501' || code === '28P01' || code === '28000' || refusalHint(err) !== '') {
    return new UsageError(`store: PostgreSQL at ${location} refused: ${why}${refusalHint(err)}`, { cause: err });
  }
  if (isTransient(err)) {
    // No advice here: a live collector shows this too, while it keeps the intervals in its spool.
    return new Error(`store: lost the connection to PostgreSQL at ${location} (${why})`, { cause: err });
  }
  return err;
}
