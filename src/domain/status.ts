/**
 * @module domain/status
 * The message lifecycle. States only move forward: a late `sent` never overwrites `read`.
 * `failed` is terminal and can follow any non-terminal state.
 */

export const MESSAGE_STATES = ['accepted', 'submitted', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/** Rank of each state; a transition is allowed only to a strictly higher rank. */
export const STATE_RANK: Readonly<Record<MessageState, number>> = {
  accepted: 0,
  /** Meta answered 200 with a wamid: accepted upstream, not yet on a phone. */
  submitted: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
};

/** Whether a message in `from` may move to `to`. */
export function canTransition(from: MessageState, to: MessageState): boolean {
  if (from === 'failed' || from === 'read') return false;
  return STATE_RANK[to] > STATE_RANK[from];
}

export function isTerminal(state: MessageState): boolean {
  return state === 'read' || state === 'failed';
}
