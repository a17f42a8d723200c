/**
 * @module sim/meta/auth
 * Graph's token check: `Authorization: Bearer <token>` (or `OAuth <token>`) or
 * `?access_token=`. No token is 104; anything but the exact configured token is 190.
 */
import { invalidTokenError, missingTokenError, type GraphErrorReply } from './errors.js';

const SCHEME = /^(?:Bearer|OAuth)\s+(.+)$/i;

/** Undefined when authorised; otherwise the error to send. */
export function checkAuth(
  authorization: string | undefined,
  queryToken: unknown,
  expected: string,
): GraphErrorReply | undefined {
  let token: string | undefined;
  if (authorization !== undefined && authorization !== '') {
    const m = SCHEME.exec(authorization.trim());
    if (!m) return invalidTokenError();
    token = (m[1] as string).trim();
  } else if (typeof queryToken === 'string' && queryToken !== '') {
    token = queryToken;
  }
  if (token === undefined) return missingTokenError();
  return token === expected ? undefined : invalidTokenError();
}
