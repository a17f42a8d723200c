/**
 * @module compose/sending
 * The send flow: the intake that decides each CleverTap request (with the load shedder in front
 * of it), the acceptor that commits accepted messages in batches, and the dispatcher that sends
 * them to Meta, paced per number. The dispatcher's lanes follow the accounts: one is added with an
 * account, updated with it, and a deleted account's lane drains what it had accepted.
 */
import type { Logger } from 'pino';
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';
import type { Config } from '../config/schema.js';
import { LoadShedder } from '../http/load-shedder.js';
import { Acceptor } from '../pipeline/acceptor.js';
import type { OptOutRegistry } from '../pipeline/opt-outs.js';
import { SendDispatcher, type SendLaneConfig } from '../pipeline/send-dispatcher.js';
import { createSendIntake, type SendIntake } from '../pipeline/send-intake.js';
import type { TemplateCatalog } from '../pipeline/template-catalog.js';
import type { Storage } from '../store/storage.js';
import type { Callbacks } from './callbacks.js';
import type { Cluster } from './cluster.js';
import type { Service } from './lifecycle.js';
import type { Jobs } from './queue.js';
import type { WhatsappClients } from './whatsapp-clients.js';
import type { Observability } from './observability.js';

export interface Sending extends Service {
  intake: SendIntake;
  acceptor: Acceptor;
  dispatcher: SendDispatcher;
}

export interface SendingParts {
  config: Config;
  accounts: AccountDirectory;
  storage: Storage;
  jobs: Jobs;
  clients: WhatsappClients;
  callbacks: Callbacks;
  optOuts: OptOutRegistry;
  catalog: TemplateCatalog;
  cluster: Cluster;
  logger: Logger;
  /** The gateway's metrics. */
  observe?: Pick<Observability, 'accept' | 'send'>;
}

export function composeSending({ config, accounts, storage, jobs, clients, callbacks, optOuts, catalog, cluster, logger, observe }: SendingParts): Sending {
  const laneOf = (account: ResolvedAccount): SendLaneConfig => ({
    accountId: account.id,
    phoneNumberId: account.whatsapp.phoneNumberId,
    messagesPerSecond: account.whatsapp.messagesPerSecond,
    maxInFlight: account.whatsapp.maxInFlight,
    // Looked up per send: the client is replaced when the account's credentials change.
    sender: { sendMessage: (phoneNumberId, body) => clients.graph(account.id).sendMessage(phoneNumberId, body) },
  });
  const dispatcher = new SendDispatcher({
    store: storage.messages,
    queue: jobs.queue,
    logger,
    lanes: accounts.all.map(laneOf),
    laneFor: (accountId) => {
      const account = accounts.forWork(accountId);
      return account && { lane: laneOf(account), retiring: accounts.byId(accountId) === undefined };
    },
    leaseMs: config.dispatcher.leaseMs,
    uncertainHoldMs: config.dispatcher.uncertainHoldMs,
    maxAttempts: config.dispatcher.maxAttempts,
    maxAgeMs: config.dispatcher.maxAgeMs,
    callbacks: callbacks.owed,
    events: storage.events,
    lastInboundAt: (accountId, recipient) => storage.inbound.lastInboundAt(accountId, recipient),
    ...(cluster.leases ? { leases: cluster.leases } : {}),
    ...(observe ? { observe: observe.send } : {}),
  });
  // Accounts deleted before this start may have sends queued; lanes without any close at the first sweep.
  for (const account of accounts.deleted) {
    dispatcher.setLane(laneOf(account));
    dispatcher.retireLane(account.id);
  }
  const unsubscribe = accounts.onChange(({ added, updated, removed }) => {
    for (const account of [...added, ...updated]) dispatcher.setLane(laneOf(account));
    for (const account of removed) dispatcher.retireLane(account.id);
  });
  const acceptor = new Acceptor({
    store: storage.messages,
    ...(observe ? { observe: observe.accept } : {}),
    maxPending: config.server.maxPendingAccepts,
    onCommitted: (accountIds) => {
      jobs.committed();
      accountIds.forEach((id) => dispatcher.wake(id));
      // The replica holding a number's lease sends from it; it may be another one.
      cluster.signal({ kind: 'send', accountIds: [...accountIds] });
    },
  });
  const loadShedder = new LoadShedder({
    maxLagMs: config.server.shedLoadAtLagMs,
    ...(config.server.shedRequestsOlderThanMs ? { maxRequestAgeMs: config.server.shedRequestsOlderThanMs } : {}),
  });
  const intake = createSendIntake({
    accounts,
    acceptor,
    optOuts,
    overloaded: (receivedAt) => loadShedder.shouldShed(receivedAt),
    ...(config.templates.preflight ? { templatesFor: (accountId: string) => catalog.indexFor(accountId) } : {}),
    log: logger,
  });
  return {
    intake,
    acceptor,
    dispatcher,
    start: () => dispatcher.start(),
    // Run once the HTTP server has closed: no request can add to what the acceptor commits.
    stop: async () => {
      unsubscribe();
      loadShedder.stop();
      await acceptor.drain();
      await dispatcher.stop();
    },
  };
}
