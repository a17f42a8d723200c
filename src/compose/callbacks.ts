/**
 * @module compose/callbacks
 * Everything that owes CleverTap a callback and delivers it: the owed-callback effects (with
 * the account's delivery-report URL), the callback dispatcher, and the click reporter.
 */
import type { Logger } from 'pino';
import type { AccountDirectory } from '../config/accounts.js';
import type { Config } from '../config/schema.js';
import { CallbackDispatcher } from '../pipeline/callback-dispatcher.js';
import { ClickReporter } from '../pipeline/click-reports.js';
import { OwedCallbacks } from '../pipeline/owe-callbacks.js';
import type { Storage } from '../store/storage.js';
import type { Service } from './lifecycle.js';
import type { Jobs } from './queue.js';
import type { Cluster } from './cluster.js';
import type { Observability } from './observability.js';

/** With replicas: how long a reserved callback stays hidden (far above a POST's 5 s timeout)… */
const CALLBACK_JOB_LEASE_MS = 15_000;
/** …and the URL lease, which must outlast it plus the queue's recovery of lapsed leases (≤ 5 s). */
const CALLBACK_URL_LEASE_MS = 30_000;

export interface Callbacks extends Service {
  dispatcher: CallbackDispatcher;
  owed: OwedCallbacks;
  clickReporter: ClickReporter;
}

export function composeCallbacks(options: { config: Config; accounts: AccountDirectory; storage: Storage; jobs: Jobs; cluster: Cluster; logger: Logger; observe?: Pick<Observability, 'callbacks'> }): Callbacks {
  const { config, accounts, storage, jobs, cluster, logger } = options;
  const dispatcher = new CallbackDispatcher({
    outbox: storage.outbox,
    queue: jobs.queue,
    logger,
    maxAgeMs: config.callbacks.maxAgeMs,
    publicTargetsOnly: (accountId) => accounts.callbackTargetsPublicOnly(accountId),
    headersFor: (accountId, kind) => (kind === 'profile' ? uploadApiHeaders(accounts, accountId) : undefined),
    ...(config.callbacks.retryScheduleMs ? { retrySchedule: config.callbacks.retryScheduleMs } : {}),
    ...(options.observe ? { observe: options.observe.callbacks } : {}),
    // Several replicas: a URL passes to another replica only once its lease has run out, and by
    // then every callback the previous holder had reserved must be back in the queue (a lapsed
    // job lease, recovered within seconds and ahead of newer ones); else the new holder would
    // post later reports first. So job leases are well under the URL lease's TTL.
    ...(cluster.leases ? { leases: cluster.leases, leaseMs: CALLBACK_JOB_LEASE_MS, leaseTtlMs: CALLBACK_URL_LEASE_MS } : {}),
  });
  const owed = new OwedCallbacks({
    deliveryReportUrl: (accountId) => accounts.deliveryReportUrl(accountId),
    onOwed: (urls) => {
      jobs.committed();
      urls.forEach((url) => dispatcher.wake(url));
      // The replica holding a URL's lease posts to it; it may be another one.
      cluster.signal({ kind: 'callbacks', urls: [...urls] });
    },
  });
  const clickReporter = new ClickReporter({
    links: storage.clickLinks,
    store: storage.messages,
    outbox: storage.outbox,
    deliveryReportUrl: (accountId) => accounts.deliveryReportUrl(accountId),
    onOwed: (url) => owed.owed([url]),
  });
  return {
    dispatcher,
    owed,
    clickReporter,
    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),
  };
}

/** CleverTap's Upload API authenticates with the project's id and passcode, sent as headers. */
function uploadApiHeaders(accounts: AccountDirectory, accountId: string): Record<string, string> | undefined {
  // A deleted account's owed callbacks still go out, authenticated as it was.
  const upload = accounts.forWork(accountId)?.clevertap.upload;
  return upload ? { 'X-CleverTap-Account-Id': upload.accountId, 'X-CleverTap-Passcode': upload.passcode } : undefined;
}
