/**
 * @module compose/message-admin
 * What the admin API's Messages and Inbound routes read (http/routes/admin-messages.ts): the
 * store's search, and a message's timeline assembled from its row, its events and the callbacks
 * about it (three reads by key, side by side).
 *
 * CleverTap's callback URLs carry the tenant's token in their path: the timeline and the inbound
 * list show them as their origin and `/…` (clevertap/callback-url.ts), as every other answer does.
 */
import { redactCallbackUrl } from '../clevertap/callback-url.js';
import type { MessageAdminSource } from '../http/routes/admin-messages.js';
import { messageTimeline, type TimelineEntry } from '../store/message-timeline.js';
import type { Storage } from '../store/storage.js';

export function messageAdminSource(storage: Pick<Storage, 'messages' | 'events' | 'search'>): MessageAdminSource {
  return {
    search: (query) => storage.search.search(query),
    async inbound(query) {
      const page = await storage.search.inbound(query);
      return { ...page, data: page.data.map((entry) => (entry.callback ? { ...entry, callback: { ...entry.callback, url: redactCallbackUrl(entry.callback.url) } } : entry)) };
    },
    async message(id) {
      const [message, events, callbacks] = await Promise.all([storage.messages.getMessage(id), storage.events.list(id), storage.events.callbacksAbout(id)]);
      if (!message) return undefined;
      return { message, timeline: messageTimeline(message, events, callbacks).map(withoutCallbackToken) };
    },
  };
}

/** A callback's URL as its origin; a click's destination (the link the user followed) as it is. */
function withoutCallbackToken(entry: TimelineEntry): TimelineEntry {
  return entry.kind === 'callback' && entry.url !== undefined ? { ...entry, url: redactCallbackUrl(entry.url) } : entry;
}
