/**
 * @module domain/ids
 * Message ids: short, URL-safe, unique across processes and restarts, and roughly sortable by
 * creation time (so SQLite's primary-key b-tree grows at its right edge).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
let lastMs = 0;
let sequence = 0;
const processTag = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0').slice(0, 6);

/** `m` + 9 chars of time + 4 of sequence + 6 of process tag: 20 chars. */
export function newMessageId(now = Date.now()): string {
  if (now === lastMs) sequence++;
  else {
    lastMs = now;
    sequence = 0;
  }
  return 'm' + toBase36(now, 9) + toBase36(sequence, 4) + processTag;
}

function toBase36(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 36] + out;
    rest = Math.floor(rest / 36);
  }
  return out;
}
