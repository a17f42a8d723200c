/**
 * @module store/opt-out-store
 * Who opted out of which account. Read once at startup into memory (the send path checks it on
 * every template request, and opt-outs are few); written as an effect of the inbound message
 * that asked for it (store/effects.ts).
 */
export interface OptOut {
  accountId: string;
  recipient: string;
  keyword: string;
  optedOutAt: number;
}

export interface OptOutStore {
  all(): Promise<OptOut[]>;
}
