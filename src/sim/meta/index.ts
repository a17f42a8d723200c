/**
 * @module sim/meta
 * A faithful local stand-in for Meta's WhatsApp Cloud API: the gateway talks to it exactly as
 * it would to graph.facebook.com, and it answers with Meta's bodies, errors, throttles and
 * signed status webhooks. Used by tests, the sandbox mode and benchmarks.
 *
 * @example
 * ```ts
 * const sim = await startMetaSimulator({
 *   accessToken: 'token', appSecret: 'secret',
 *   phoneNumbers: [{ phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' }],
 *   webhookUrl: 'http://127.0.0.1:3000/webhooks/meta',
 * });
 * // POST `${sim.graphBaseUrl}/106540352242922/messages` …
 * await sim.close();
 * ```
 */
import { registerControlApi } from './control-api.js';
import { SimCore } from './core.js';
import { runVerifyHandshake } from './handshake.js';
import { buildServer } from './server.js';
import { NetworkFaults } from './network-faults.js';
import type { MetaSimulator, MetaSimulatorOptions } from './types.js';

export type {
  AcceptedSend,
  MetaSimulator,
  MetaSimulatorOptions,
  PinoLike,
  RejectedSend,
  SimPhoneNumber,
  SimStats,
  WebhookDelivery,
} from './types.js';
export type { SeedTemplate, TemplateButtonDef, TemplateComponentDef, TemplateStatus, TemplateCategory } from './default-templates.js';
export { DEFAULT_TEMPLATES } from './default-templates.js';
export type { TemplateStatusDetails } from './template-events.js';
export { TEMPLATE_STATUS_FIELD } from './template-events.js';
export type { StatusDelays } from './lifecycle.js';
export type { ChaosOptions, ChaosSettings } from './chaos.js';
export { DEFAULT_CHAOS_SEED } from './chaos.js';
export type { NetworkFault, NetworkFaultMode, NetworkFaultStatus } from './network-faults.js';
export { NETWORK_FAULT_MODES } from './network-faults.js';
export type { TruthEntry } from './truth.js';
export type { InboundInput, InboundMediaInput, InboundType } from './inbound.js';
export { INBOUND_TYPES } from './inbound.js';
export type { VerifyWebhookResult } from './handshake.js';
export { CUSTOMER_WINDOW_MS } from './windows.js';
export { DEFAULT_STATUS_DELAYS } from './lifecycle.js';
export type { HttpStatusMode } from './errors.js';
export { META_ERRORS } from './errors.js';
export { metaJson } from './webhook-sender.js';
export {
  ASYNC_MAGIC_CODES,
  ASYNC_MAGIC_PREFIX,
  BLOCKED_PREFIX,
  NO_READ_PREFIX,
  OFFLINE_PREFIX,
  SYNC_MAGIC_CODES,
  SYNC_MAGIC_PREFIX,
} from './magic.js';

/** The Graph version the simulator advertises in `graphBaseUrl`; any `/vNN.N` prefix is accepted. */
export const SIM_GRAPH_VERSION = 'v23.0';

export async function startMetaSimulator(options: MetaSimulatorOptions): Promise<MetaSimulator> {
  const core = new SimCore(options);
  let url = '';
  const app = buildServer(core, () => url, options.logger);
  const setWebhookUrl = (u: string | undefined) => core.webhooks.setUrl(u);
  const reset = () => core.reset();
  const verifyWebhook = async ({ verifyToken, url }: { verifyToken: string; url?: string }) => {
    const target = url ?? core.webhooks.currentUrl;
    if (target === undefined) throw new Error('verifyWebhook: no webhook URL configured');
    return runVerifyHandshake(target, verifyToken);
  };
  const network = new NetworkFaults(app);
  registerControlApi(app, core, { setWebhookUrl, reset, verifyWebhook, network });

  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (e) {
    await core.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  url = `http://${urlHost}:${port}`;
  network.attach(app.server, host, port as number);

  let closed = false;
  return {
    url,
    graphBaseUrl: `${url}/${SIM_GRAPH_VERSION}`,
    setWebhookUrl,
    addPhoneNumber: (phone) => core.addPhoneNumber(phone),
    accepted: () => core.acceptedLog.all(),
    rejected: () => core.rejectedLog.all(),
    webhookDeliveries: () => core.webhooks.log.all(),
    pendingWebhooks: () => core.webhooks.pending(),
    scheduledStatuses: () => core.lifecycle.pending(),
    stats: () => core.stats(),
    addInboundMedia: (bytes, mimeType) => core.media.add(Buffer.from(bytes), mimeType).id,
    upsertTemplate: (template, details) => ({ id: core.upsertTemplate(template, details).id }),
    setTemplateStatus: (id, status, details) => core.setTemplateStatus(id, status, details) !== undefined,
    openWindow: (waId, phoneNumberId) => {
      if (phoneNumberId === undefined) core.windows.openForever(waId);
      else core.windows.touch(phoneNumberId, waId);
    },
    setChaos: (chaos) => core.chaos.set(chaos),
    setNetworkFault: (fault) => network.set(fault),
    networkFault: () => network.status,
    truth: () => core.truth.all(),
    injectInbound: async (input) => core.injectInbound(input),
    verifyWebhook,
    reset,
    close: async () => {
      if (closed) return;
      closed = true;
      await network.close();
      await core.close();
      await app.close();
    },
  };
}
