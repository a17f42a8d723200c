/**
 * @module store/storage
 * Everything the gateway keeps, behind one object: the store's ports, the queue that reads the
 * store's job outbox, and the store's health. `compose/storage.ts` picks the adapter from
 * `store.kind`; each adapter's `create*Storage` owns its connection(s), and `close()` releases
 * them, so no port closes what another still uses.
 */
import type { JobQueue } from '../queue/job-queue.js';
import type { AccountActivity } from './account-activity.js';
import type { AccountStore, AuditLog } from './account-store.js';
import type { CallbackOutbox } from './callback-outbox.js';
import type { ClickLinkStore } from './click-links.js';
import type { InboundLog } from './inbound-log.js';
import type { JobOutbox } from './job-outbox.js';
import type { MessageEvents } from './message-events.js';
import type { MessageSearch } from './message-search.js';
import type { MessageStats } from './message-stats.js';
import type { MessageStore } from './message-store.js';
import type { OptOutStore } from './opt-out-store.js';
import type { RetentionStore } from './retention.js';
import type { TemplateStore } from './template-store.js';
import type { WebhookRejectLog } from './webhook-rejects.js';

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  readonly messages: MessageStore;
  readonly outbox: CallbackOutbox;
  readonly templates: TemplateStore;
  readonly optOuts: OptOutStore;
  readonly inbound: InboundLog;
  readonly clickLinks: ClickLinkStore;
  readonly retention: RetentionStore;
  readonly webhookRejects: WebhookRejectLog;
  /** Accounts created through the admin API, each change written with its entry in `audit`. */
  readonly accounts: AccountStore;
  readonly audit: AuditLog;
  /** What a message's timeline needs beyond its row (store/message-events.ts). */
  readonly events: MessageEvents;
  /** The operator's message search and inbound list. */
  readonly search: MessageSearch;
  /** When each account last sent and heard from Meta (the console's Accounts list). */
  readonly activity: AccountActivity;
  /** The dashboard's aggregates: funnels, failures by code, campaigns, rates over time. */
  readonly stats: MessageStats;
  /**
   * Where the jobs of committed changes wait: `queue` (embedded mode) reads them directly;
   * with an external queue, `jobOutbox` holds them for the relay.
   */
  readonly jobs: 'queue' | 'outbox';
  /** The embedded queue over this store's job table (used when `jobs` is `queue`). */
  readonly queue: JobQueue;
  readonly jobOutbox: JobOutbox;
  /** Why the store cannot write right now, if it cannot (for `/readyz`). */
  writeFault(): string | undefined;
  close(): Promise<void>;
}
