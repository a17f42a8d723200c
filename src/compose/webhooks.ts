/**
 * @module compose/webhooks
 * What Meta's webhooks change: message statuses (owing CleverTap its delivery reports), inbound
 * messages (forwarded, opt-outs applied, media linked), and template status updates (applied to
 * the catalogue at once, so a paused template is refused before the next sync).
 */
import type { Logger } from 'pino';
import type { AccountDirectory } from '../config/accounts.js';
import { InboundIngest } from '../pipeline/inbound-ingest.js';
import type { OptOutRegistry } from '../pipeline/opt-outs.js';
import { StatusIngest } from '../pipeline/status-ingest.js';
import type { TemplateCatalog } from '../pipeline/template-catalog.js';
import { createWebhookIntake, type WebhookIntake } from '../pipeline/webhook-intake.js';
import type { Storage } from '../store/storage.js';
import type { Callbacks } from './callbacks.js';
import type { Observability } from './observability.js';
import type { MediaLinks } from './public-url.js';

export interface WebhookParts {
  accounts: AccountDirectory;
  storage: Storage;
  callbacks: Callbacks;
  optOuts: OptOutRegistry;
  catalog: TemplateCatalog;
  media: MediaLinks | undefined;
  logger: Logger;
  /** The gateway's metrics. */
  observe?: Pick<Observability, 'webhooks'>;
  /** A user opted out or back in here: the other replicas update their registries. */
  onOptOutChanged?(accountId: string, recipient: string, optedOut: boolean): void;
}

export function composeWebhooks({ accounts, storage, callbacks, optOuts, catalog, media, logger, onOptOutChanged, observe }: WebhookParts): WebhookIntake {
  const statusIngest = new StatusIngest({ store: storage.messages, logger, callbacks: callbacks.owed });
  const inboundIngest = new InboundIngest({
    optOutRegistry: optOuts,
    store: storage.messages,
    inboundLog: storage.inbound,
    logger,
    onOwed: (urls) => callbacks.owed.owed(urls),
    ...(media?.urlFor ? { mediaUrlFor: media.urlFor } : {}),
    ...(onOptOutChanged ? { onOptOutChanged } : {}),
  });
  return createWebhookIntake({
    accounts,
    statusIngest,
    inboundIngest,
    onTemplateStatus: (accountId, change) => catalog.applyStatusChange(accountId, change),
    rejects: storage.webhookRejects,
    log: logger,
    ...(observe ? { observe: observe.webhooks } : {}),
  });
}
