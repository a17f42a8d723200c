/**
 * @module store/postgres/postgres-faults
 * Which errors say that Postgres itself cannot be used (unreachable, shutting down, full,
 * read-only, refusing us) rather than that one statement was wrong, and how to say so to an
 * operator in one line. The first kind feeds `writeFault()` (and so `/readyz`); the second is a
 * bug or a constraint and stays with the caller.
 */
import { errorCode } from '../store-unavailable.js';

/** SQLSTATE classes and codes that describe the server or the connection, not the statement. */
const FAULT_STATES = /^(08|53|57P0[123]|58|XX|3D000|28|25006|42501)/;
/** Socket errors of the connection itself. */
const SOCKET_FAULTS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** pg's own connection errors carry no code, only these messages. */
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end/i;

export function isPostgresFault(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) return FAULT_STATES.test(code) || SOCKET_FAULTS.has(code);
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

/** The cause in words, then the code and message as the server or driver gave them. */
export function describePostgresFault(error: unknown): string {
  const code = errorCode(error) ?? 'error';
  const message = error instanceof Error ? error.message : String(error);
  return `${causeOf(code, message)} (${code}: ${message})`;
}

function causeOf(code: string, message: string): string {
  if (SOCKET_FAULTS.has(code) || /^08|^57P0[123]/.test(code) || CONNECTION_MESSAGES.test(message)) return 'Postgres cannot be reached';
  if (code === '53100') return "Postgres's disk is full";
  if (/^53/.test(code)) return 'Postgres is out of resources (memory or connections)';
  if (code === '25006') return 'Postgres is read-only (a standby, or default_transaction_read_only)';
  if (/^28|^42501$/.test(code)) return 'Postgres refuses this user';
  if (code === '3D000') return 'the database does not exist';
  return 'Postgres cannot be used';
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable Postgres URL)';
  }
}
