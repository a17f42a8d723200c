/**
 * @module pipeline/opt-outs
 * Stop and start keywords. A user who writes STOP (or UNSUBSCRIBE, or the account's own words) to
 * a number gets no more template messages from that account: CleverTap's later sends are answered
 * `2003` (phone number not subscribed) without calling Meta, which would otherwise deliver them
 * and risk the number's quality rating. START undoes it. Keywords match the whole message,
 * case-insensitively, ignoring surrounding spaces and punctuation.
 */
import type { InboundContent } from '../domain/inbound.js';

export const DEFAULT_STOP_KEYWORDS = ['STOP', 'UNSUBSCRIBE'] as const;
export const DEFAULT_START_KEYWORDS = ['START'] as const;

export type KeywordMatch = { kind: 'stop' | 'start'; keyword: string } | undefined;

export function matchKeyword(content: InboundContent, stop: readonly string[], start: readonly string[]): KeywordMatch {
  const text = content.kind === 'text' ? content.body : content.kind === 'quick_reply_button' ? content.text : undefined;
  if (text === undefined) return undefined;
  // Any WhatsApp user can send 65,536 characters: no keyword is longer than a short sentence.
  if (text.length > MAX_KEYWORD_MESSAGE_LENGTH) return undefined;
  const normalized = trimPunctuation(text).toUpperCase();
  const stopWord = stop.find((keyword) => keyword.toUpperCase() === normalized);
  if (stopWord) return { kind: 'stop', keyword: stopWord };
  const startWord = start.find((keyword) => keyword.toUpperCase() === normalized);
  if (startWord) return { kind: 'start', keyword: startWord };
  return undefined;
}

/** Longer messages are conversation, not a keyword, however much punctuation surrounds it. */
const MAX_KEYWORD_MESSAGE_LENGTH = 512;
const PUNCTUATION_OR_SPACE = /[\p{P}\s]/u;

/**
 * Strips punctuation and white space from both ends in one pass each. The regular expression
 * `^[\p{P}\s]+|[\p{P}\s]+$` did the same in quadratic time: "a" + "!"×65,534 + "a" stalled
 * the whole gateway for seconds.
 */
export function trimPunctuation(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PUNCTUATION_OR_SPACE.test(text[start]!)) start++;
  while (end > start && PUNCTUATION_OR_SPACE.test(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** Opt-outs in memory: the send path asks on every template request. */
export class OptOutRegistry {
  readonly #byAccount = new Map<string, Set<string>>();

  load(entries: Iterable<{ accountId: string; recipient: string }>): void {
    for (const entry of entries) this.add(entry.accountId, entry.recipient);
  }

  /** Replaces everything with `entries` (a periodic re-read of the store, which has the last word). */
  reset(entries: Iterable<{ accountId: string; recipient: string }>): void {
    this.#byAccount.clear();
    this.load(entries);
  }

  has(accountId: string, recipient: string): boolean {
    return this.#byAccount.get(accountId)?.has(recipient) ?? false;
  }

  add(accountId: string, recipient: string): void {
    let set = this.#byAccount.get(accountId);
    if (!set) this.#byAccount.set(accountId, (set = new Set()));
    set.add(recipient);
  }

  remove(accountId: string, recipient: string): void {
    this.#byAccount.get(accountId)?.delete(recipient);
  }

  count(): number {
    let total = 0;
    for (const set of this.#byAccount.values()) total += set.size;
    return total;
  }
}
