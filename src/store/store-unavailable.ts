/**
 * @module store/store-unavailable
 * The store cannot be used at all (read-only, locked by another process, a full disk at start):
 * something an operator must fix, not a bug. Its message is the whole story in one line, naming
 * the file and the cause, so the CLI prints it without a stack trace.
 */

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** SQLite result codes that say the storage failed, as opposed to a query or constraint error. */
const STORAGE_FAULT = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|PROTOCOL)/;
/** The same faults as seen by Node's own file system calls. */
const FS_FAULT = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'ENOENT', 'ENOTDIR']);

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` says the storage itself failed (full, read-only, locked, I/O error). */
export function isStorageFault(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (STORAGE_FAULT.test(code) || FS_FAULT.has(code));
}

/** What an operator should read for a storage fault: the cause in words, then the raw code and message. */
export function describeStorageFault(error: unknown): string {
  const code = errorCode(error) ?? 'error';
  const message = error instanceof Error ? error.message : String(error);
  const raw = message.startsWith(code) ? message : `${code}: ${message}`;
  return `${causeOf(code)} (${raw})`;
}

function causeOf(code: string): string {
  if (/^SQLITE_READONLY|^EROFS$|^EACCES$|^EPERM$/.test(code)) return 'it is read-only for this process';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'it is locked by another process';
  if (/^SQLITE_FULL|^ENOSPC$|^EDQUOT$/.test(code)) return 'the disk is full';
  if (/^SQLITE_CANTOPEN|^ENOENT$|^ENOTDIR$/.test(code)) return 'it cannot be opened';
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return 'it is not a wabridge database, or it is damaged';
  if (/^SQLITE_IOERR|^EIO$/.test(code)) return 'the disk reported an I/O error';
  return 'it cannot be used';
}
