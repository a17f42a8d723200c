/**
 * @module store/message-store
 * The message store port: durable message rows and their lifecycle. Adapters (SQLite today,
 * Postgres for scale-out) all pass `message-store.conformance.ts`.
 */
import type { DeliveryFailure } from '../domain/failure.js';
import type { CallbackOverrides, MessageContent, OutboundMessage } from '../domain/message.js';
import type { MessageState } from '../domain/status.js';
import type { Effects, EffectsOf } from './effects.js';

/** A message as stored, with its lifecycle so far. Times are epoch milliseconds. */
export interface StoredMessage extends OutboundMessage {
  state: MessageState;
  /** The campaign part of the msgId (store/message-events.ts `campaignOf`). */
  campaign?: string;
  preflight?: PreflightOutcome;
  /** How long Meta took to answer the send it accepted. */
  submitLatencyMs?: number;
  wamid?: string;
  failure?: DeliveryFailure;
  submittedAt?: number;
  sentAt?: number;
  deliveredAt?: number;
  readAt?: number;
  failedAt?: number;
  updatedAt: number;
}

export interface AcceptResult {
  /** The id of the stored message: the new one, or the earlier one for a duplicate. */
  id: string;
  duplicate: boolean;
}

/**
 * How template pre-flight passed a message (pipeline/template-preflight.ts): checked against the
 * synced definition as sent, or `repaired` to what Meta wants (locale, URL suffix, parameter
 * names), or `unvalidated` (no sync has succeeded yet). Absent: not a template, or pre-flight off.
 */
export type PreflightOutcome = 'passed' | 'repaired' | 'unvalidated';

/** A new message and what must commit with it (its send job, its click links). */
export interface Acceptance {
  message: OutboundMessage;
  effects?: Effects;
  preflight?: PreflightOutcome;
}

/** A state change that happened, as `EffectsOf` sees it inside its commit. */
export interface StateChange {
  id: string;
  accountId: string;
  msgId: string;
  previous: MessageState;
  state: MessageState;
  at: number;
  failure?: DeliveryFailure;
  callbacks?: CallbackOverrides;
}

/** What a state change must carry (e.g. the delivery reports it owes CleverTap). */
export type StateChangeEffects = EffectsOf<StateChange>;

/** The part of a message its lifecycle needs, without the content (cheap to read). */
export interface MessageLifecycle {
  id: string;
  accountId: string;
  msgId: string;
  wamid?: string;
  state: MessageState;
  callbacks?: CallbackOverrides;
}

/**
 * Which message a status webhook is about: the one with our `id` (Meta echoes it in
 * `biz_opaque_callback_data`), otherwise the one with Meta's `wamid`; either way only a message of
 * `accountId`, the account that owns the sending number and whose app secret signed the delivery.
 * Another app on the same WABA may use `biz_opaque_callback_data` too, and an account must not be
 * able to move another's message by naming its wamid.
 */
export interface StatusTarget {
  accountId: string;
  wamid: string;
  id?: string;
}

export type StatusOutcome = 'applied' | 'stale' | 'unknown-message';

export interface StateCounts {
  accountId: string;
  state: MessageState;
  count: number;
}

export interface MessageStore {
  /**
   * Durably records new messages in one commit, each with its effects. A message repeating an
   * earlier (accountId, msgId, to) is not stored again, nor are its effects; its result points at
   * the earlier message. Results are in the order of `batch`.
   */
  acceptMessages(batch: readonly Acceptance[]): Promise<AcceptResult[]>;
  getMessage(id: string): Promise<StoredMessage | undefined>;
  /** The lifecycle of a message, by the gateway's id or by Meta's wamid. */
  getLifecycle(key: { id: string } | { wamid: string }): Promise<MessageLifecycle | undefined>;
  /**
   * Meta accepted the send: remember the wamid (and how long Meta took to answer, for the
   * timeline) and move to `submitted` (if not already past it).
   */
  recordSubmitted(id: string, wamid: string, at: number, latencyMs?: number): Promise<void>;
  /**
   * Applies a lifecycle state if it moves the message forward (see `canTransition`).
   * Returns whether it did. `wamid` is recorded when the message has none yet (a status
   * webhook can beat our own record of the send).
   */
  advanceState(
    id: string,
    state: MessageState,
    at: number,
    details?: { failure?: DeliveryFailure; wamid?: string },
    /** What the change must carry, committed with it; asked only when the message did move. */
    effectsOf?: StateChangeEffects,
  ): Promise<boolean>;
  /**
   * Applies a status from Meta to the message it names (see `StatusTarget`): moves it forward
   * as `advanceState` does, recording `target.wamid` when the message has none yet, with the
   * effects of the change in the same commit. Finding the message and moving it happen together, with
   * one read; a status that does not move it (a replay, or out of order) changes nothing, and is
   * kept as an event of the message's timeline (store/message-events.ts).
   */
  applyStatus(
    target: StatusTarget,
    state: MessageState,
    at: number,
    failure?: DeliveryFailure,
    effectsOf?: StateChangeEffects,
  ): Promise<StatusOutcome>;
  countByState(): Promise<StateCounts[]>;
}

export type { MessageContent, CallbackOverrides };
