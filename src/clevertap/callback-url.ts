/**
 * @module clevertap/callback-url
 * CleverTap's callback URLs (Delivery Report, Inbound Message) carry the tenant's token in their
 * path or query, so they are secrets: what an operator sees of one — in logs, the admin API, the
 * command line — is its origin and `/…`. The callback queue is partitioned by the whole URL,
 * so its partition keys are shown the same way.
 */

/** `https://host[:port]/…` for a URL; `[invalid url]` for text that is not one (never echoed). */
export function redactCallbackUrl(url: string): string {
  try {
    return new URL(url).origin + '/…';
  } catch {
    return '[invalid url]';
  }
}
