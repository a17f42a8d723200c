/**
 * @module http/constant-time
 * Secret comparison whose time depends on neither the secret nor where the guess went wrong:
 * both sides are hashed to equal-length digests first, so even the length does not leak.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
