/**
 * CleverTap's side of the fault tests: posts one message per recipient to a real gateway and
 * sorts each answer the way CleverTap would read it. Only `200 {"status":"success"}` is a promise
 * to deliver; a 5xx or 429 is retried by CleverTap, a 200 with a failure body counts as failed.
 * Anything else (a 4xx for a valid message, no answer at all) breaks the contract.
 */
import { Pool } from 'undici';
import { fixture } from './gateway.js';

export const SUCCESS_BODY = '{"status":"success"}';

export type Answer =
  | { kind: 'success' }
  /** CleverTap retries it (5xx, 429) or counts it failed (a 200 with a failure body). */
  | { kind: 'refused'; status: number; body: string }
  /** Not an answer the contract allows for a valid message. */
  | { kind: 'broken'; status?: number; body?: string; error?: string };

export function classify(status: number, body: string): Answer {
  if (status === 200 && body === SUCCESS_BODY) return { kind: 'success' };
  if (status >= 500 || status === 429) return { kind: 'refused', status, body };
  if (status === 200 && /"status":"failure"/.test(body)) return { kind: 'refused', status, body };
  return { kind: 'broken', status, body };
}

/** Recipient i: a unique number per message, so each can be traced through the Meta simulator. */
export const recipient = (i: number) => String(919_000_000_000 + i);

export class CleverTapSender {
  readonly pool: Pool;
  readonly #template = fixture('clevertap/requests/template-image-dynamic-url.json');

  constructor(
    gatewayUrl: string,
    private readonly accountId: string,
    private readonly token: string,
    connections = 32,
  ) {
    this.pool = new Pool(gatewayUrl, { connections });
  }

  async send(i: number): Promise<Answer> {
    const body = JSON.stringify({ ...this.#template, to: recipient(i), msgId: `fault|${i}` });
    try {
      const response = await this.pool.request({
        path: `/v1/clevertap/${this.accountId}/messages`,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      return classify(response.statusCode, await response.body.text());
    } catch (error) {
      return { kind: 'broken', error: (error as Error).message };
    }
  }

  /** Sends messages `from`…`to - 1`, `concurrency` at a time; returns each one's answer by index. */
  async sendRange(from: number, to: number, concurrency = 16): Promise<Map<number, Answer>> {
    const answers = new Map<number, Answer>();
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        answers.set(i, await this.send(i));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return answers;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
