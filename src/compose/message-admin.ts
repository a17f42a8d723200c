/**
 * @module compose/message-admin
 * What the admin API's Messages and Inbound routes read (http/routes/admin-messages.ts): the
 * store's search, and a message's timeline assembled from its row, its events and the callbacks
 * about it (three reads by key, side by side).
 */
import type { MessageAdminSource } from '../http/routes/admin-messages.js';
import { messageTimeline } from '../store/message-timeline.js';
import type { Storage } from '../store/storage.js';

export function messageAdminSource(storage: Pick<Storage, 'messages' | 'events' | 'search'>): MessageAdminSource {
  return {
    search: (query) => storage.search.search(query),
    inbound: (query) => storage.search.inbound(query),
    async message(id) {
      const [message, events, callbacks] = await Promise.all([storage.messages.getMessage(id), storage.events.list(id), storage.events.callbacksAbout(id)]);
      if (!message) return undefined;
      return { message, timeline: messageTimeline(message, events, callbacks) };
    },
  };
}
