/**
 * @module pipeline/capped-body
 * Reads the start of an HTTP answer from a server we do not control (a callback target), and
 * drops the rest with the connection. Without it a target answering 300 MB, or a byte every few
 * seconds, would cost the gateway that memory or hold one of its loops for as long as it liked.
 */
import type { Readable } from 'node:stream';

export interface CappedBody {
  /** The first `maxBytes` (or fewer) bytes, as UTF-8. */
  text: string;
  /** Bytes taken from the stream (at most one chunk past `maxBytes`). */
  bytesRead: number;
  /** Whether the whole body was read (the connection can then be reused). */
  complete: boolean;
}

/** Reads at most `maxBytes` within `timeoutMs`, then destroys the stream; never throws. */
export async function readCapped(body: Readable, maxBytes: number, timeoutMs: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytesRead = 0;
  let complete = false;
  const deadline = setTimeout(() => body.destroy(new Error(`the answer took longer than ${timeoutMs} ms`)), timeoutMs);
  deadline.unref();
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      bytesRead += buffer.length;
      if (kept < maxBytes) {
        const part = buffer.subarray(0, maxBytes - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (bytesRead >= maxBytes) break; // leaving the loop destroys the stream
    }
    complete = bytesRead < maxBytes;
  } catch {
    // Reset, timed out or destroyed: what arrived is all there is.
  } finally {
    clearTimeout(deadline);
    if (!complete) body.destroy();
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytesRead, complete };
}
