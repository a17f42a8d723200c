/**
 * @module whatsapp/media-id
 * What a Meta media id looks like. Meta's are digits; allowing letters, `_` and `-` covers the
 * simulator and future formats while keeping path tricks (`..`, `/`), percent-encoding and
 * malformed Unicode (a lone surrogate, which `encodeURIComponent` throws on) out of every URL built from one.
 */
export const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isMediaId(value: string): boolean {
  return MEDIA_ID.test(value);
}
