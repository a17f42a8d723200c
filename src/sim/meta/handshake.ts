/**
 * @module sim/meta/handshake
 * The subscription handshake Meta runs when a callback URL is configured (§3.1): a GET with
 * `hub.mode=subscribe`, the verify token and a numeric challenge, which the app must echo as
 * the plain body with a 200. Emulating it lets a test check the gateway's GET route end to end.
 */
import { randomInt } from 'node:crypto';

export interface VerifyWebhookResult {
  /** 200 and the body equals the challenge. */
  ok: boolean;
  /** HTTP status, or 0 when the receiver was unreachable or timed out. */
  status: number;
  body: string;
  /** The challenge that was sent. */
  challenge: string;
}

export async function runVerifyHandshake(webhookUrl: string, verifyToken: string, timeoutMs = 10_000): Promise<VerifyWebhookResult> {
  // Meta's challenges are large integers; ten digits, no leading zero, matches what it sends.
  const challenge = String(randomInt(1_000_000_000, 2_147_483_647));
  const url = new URL(webhookUrl);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.verify_token', verifyToken);
  url.searchParams.set('hub.challenge', challenge);
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return { ok: res.status === 200 && body === challenge, status: res.status, body, challenge };
  } catch {
    return { ok: false, status: 0, body: '', challenge };
  }
}
