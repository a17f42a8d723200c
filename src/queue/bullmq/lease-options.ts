/**
 * @module queue/bullmq/lease-options
 * BullMQ's `moveToActive` script takes its options (`token`, `lockDuration`) as a MessagePack map.
 * The backend's own `moveToActive` always stamps the call with `Date.now()`; the port lets a caller
 * pass `now` (conformance tests run on a clock of their own), so the adapter calls the script with
 * its own arguments, and this encodes the two-entry map (MessagePack spec: fixmap, str8, uint32).
 */

export function packLeaseOptions(token: string, lockDurationMs: number): Buffer {
  const tokenBytes = Buffer.from(token, 'utf8');
  if (tokenBytes.length > 255) throw new Error('lease token too long');
  if (!Number.isInteger(lockDurationMs) || lockDurationMs <= 0 || lockDurationMs > 0xffffffff) {
    throw new Error(`lease of ${lockDurationMs} ms is not a whole number of milliseconds in 1..2^32-1`);
  }
  const duration = Buffer.alloc(5);
  duration[0] = 0xce; // uint32
  duration.writeUInt32BE(lockDurationMs, 1);
  return Buffer.concat([
    Buffer.from([0x82]), // map of two entries
    fixstr('token'),
    Buffer.from([0xd9, tokenBytes.length]), // str8
    tokenBytes,
    fixstr('lockDuration'),
    duration,
  ]);
}

function fixstr(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0xa0 | bytes.length]), bytes]);
}
