/**
 * Every port's conformance suite against every storage of `test/support/storages.ts`, and the
 * queue suite against every queue. Narrow it with `STORAGES=sqlite` or `QUEUES=bullmq`.
 */
import { afterAll, describe } from 'vitest';
import { runJobQueueConformance } from '../../src/queue/job-queue.conformance.js';
import { runAccountActivityConformance } from '../../src/store/account-activity.conformance.js';
import { runAccountStoreConformance } from '../../src/store/account-store.conformance.js';
import { runAuditLogConformance } from '../../src/store/audit-log.conformance.js';
import { runCallbackOutboxConformance } from '../../src/store/callback-outbox.conformance.js';
import { runClickLinkStoreConformance } from '../../src/store/click-links.conformance.js';
import { runInboundLogConformance } from '../../src/store/inbound-log.conformance.js';
import { runJobOutboxConformance } from '../../src/store/job-outbox.conformance.js';
import { runMessageEventsConformance } from '../../src/store/message-events.conformance.js';
import { runMessageSearchConformance } from '../../src/store/message-search.conformance.js';
import { runMessageStatsConformance } from '../../src/store/message-stats.conformance.js';
import { runMessageStoreConformance } from '../../src/store/message-store.conformance.js';
import { runOptOutStoreConformance } from '../../src/store/opt-out-store.conformance.js';
import { runRetentionConformance } from '../../src/store/retention.conformance.js';
import { checkSkipList } from '../../src/store/storage.conformance.js';
import { runTemplateStoreConformance } from '../../src/store/template-store.conformance.js';
import { runWebhookRejectLogConformance } from '../../src/store/webhook-rejects.conformance.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { QUEUES, STORAGES } from '../support/storages.js';

afterAll(() => dropSchemas());

for (const fixture of STORAGES) {
  describe(`storage: ${fixture.name}`, () => {
    runMessageStoreConformance(fixture);
    runCallbackOutboxConformance(fixture);
    runInboundLogConformance(fixture);
    runOptOutStoreConformance(fixture);
    runClickLinkStoreConformance(fixture);
    runJobOutboxConformance(fixture);
    runRetentionConformance(fixture);
    runTemplateStoreConformance(fixture);
    runWebhookRejectLogConformance(fixture);
    runAccountStoreConformance(fixture);
    runAuditLogConformance(fixture);
    runMessageEventsConformance(fixture);
    runMessageSearchConformance(fixture);
    runMessageStatsConformance(fixture);
    runAccountActivityConformance(fixture);
    checkSkipList(fixture);
  });
}

for (const fixture of QUEUES) {
  describe(`queue: ${fixture.name}`, () => {
    runJobQueueConformance(fixture);
    checkSkipList(fixture);
  });
}
