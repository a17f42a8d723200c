/**
 * @module sim/meta/media
 * Media as the Cloud API serves it: uploads get a numeric id, `GET /{media-id}` hands out a
 * short-lived download URL (5 minutes by default) pointing back at the simulator, and the
 * download itself needs the Bearer token. Multipart parsing is a small boundary scanner: the
 * uploads are single files and pulling in a multipart dependency is not worth it.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface MediaEntry {
  id: string;
  bytes: Buffer;
  mimeType: string;
  /** Hex, as `GET /{media-id}` reports it (webhooks use base64). */
  sha256: string;
  fileSize: number;
  phoneNumberId: string | undefined;
  filename: string | undefined;
}

/** Upload size caps per MIME family (§1.2); stickers and documents are handled separately. */
const MAX_BYTES: Readonly<Record<string, number>> = {
  image: 5 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
};
export const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
const MAX_STICKER_BYTES = 500 * 1024;

/** Why an upload was refused, or undefined when the MIME type and size are acceptable. */
export function uploadProblem(mimeType: string, size: number): string | undefined {
  const family = mimeType.split('/')[0] ?? '';
  if (mimeType === 'image/webp') return size > MAX_STICKER_BYTES ? 'Sticker file size exceeds 500 KB.' : undefined;
  if (family in MAX_BYTES) {
    const max = MAX_BYTES[family] as number;
    return size > max ? `Media file size exceeds the ${max / 1024 / 1024} MB limit for ${family}.` : undefined;
  }
  if (family === 'application' || family === 'text') {
    return size > MAX_DOCUMENT_BYTES ? 'Document file size exceeds 100 MB.' : undefined;
  }
  return `Unsupported file type ${mimeType}.`;
}

export class MediaStore {
  private readonly media = new Map<string, MediaEntry>();
  private readonly urls = new Map<string, { id: string; expiresAt: number }>();

  constructor(private readonly urlTtlMs: number) {}

  add(bytes: Buffer, mimeType: string, phoneNumberId?: string, filename?: string): MediaEntry {
    let id: string;
    do id = String(1_000_000_000_000_000 + Math.floor(Math.random() * 8_999_999_999_999_999));
    while (this.media.has(id));
    const entry: MediaEntry = {
      id,
      bytes,
      mimeType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      fileSize: bytes.length,
      phoneNumberId,
      filename,
    };
    this.media.set(id, entry);
    return entry;
  }

  get(id: string): MediaEntry | undefined {
    return this.media.get(id);
  }

  delete(id: string): boolean {
    return this.media.delete(id);
  }

  /** A fresh download token; Meta hands out a new URL on every lookup. */
  issueToken(id: string, now = Date.now()): string {
    if (this.urls.size > 10_000) {
      for (const [t, u] of this.urls) if (u.expiresAt <= now) this.urls.delete(t);
    }
    const token = randomBytes(18).toString('base64url');
    this.urls.set(token, { id, expiresAt: now + this.urlTtlMs });
    return token;
  }

  resolveToken(token: string, now = Date.now()): MediaEntry | undefined {
    const u = this.urls.get(token);
    if (!u) return undefined;
    if (u.expiresAt <= now) {
      this.urls.delete(token);
      return undefined;
    }
    return this.media.get(u.id);
  }

  reset(): void {
    this.media.clear();
    this.urls.clear();
  }
}

export interface MultipartForm {
  fields: Record<string, string>;
  file?: { bytes: Buffer; filename: string | undefined; contentType: string | undefined };
}

/** Parses `multipart/form-data`; returns undefined when the boundary is missing or the body malformed. */
export function parseMultipart(body: Buffer, contentType: string): MultipartForm | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from('--' + boundary);
  const separator = Buffer.from('\r\n--' + boundary);
  const form: MultipartForm = { fields: {} };
  let pos = body.indexOf(delimiter);
  if (pos === -1) return undefined;
  for (;;) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const headerEnd = body.indexOf('\r\n\r\n', start, 'latin1');
    if (headerEnd === -1) return undefined;
    const next = body.indexOf(separator, headerEnd + 4);
    if (next === -1) return undefined;
    const headers = body.toString('latin1', start, headerEnd);
    const content = body.subarray(headerEnd + 4, next);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const partType = /^content-type:\s*([^\r\n;]+)/im.exec(headers)?.[1]?.trim();
    if (name !== undefined) {
      if (filename !== undefined || name === 'file') form.file = { bytes: Buffer.from(content), filename, contentType: partType };
      else form.fields[name] = content.toString('utf8');
    }
    pos = next + 2;
  }
  return form;
}
