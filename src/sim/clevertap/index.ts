/**
 * @module sim/clevertap
 * A local stand-in for CleverTap in both of its roles towards a WhatsApp provider:
 * - **callback receiver**: `POST /dlr` and `POST /imo` (optionally `/:accountId`), strict about
 *   CleverTap's formats (spec §3–§4), keeping a campaign funnel and per-message status order,
 *   and able to fail, hang or slow down on command;
 * - **campaign driver**: `runCampaign` sends fixture-shaped template/freeform requests at
 *   CleverTap's concurrency and 1 s timeout, and counts the answers the way CleverTap's stats do.
 *
 * @example
 * ```ts
 * const ct = await startClevertapSimulator();
 * // configure the gateway account with ct.deliveryReportUrl('acme') / ct.inboundMessageUrl('acme')
 * const result = await runCampaign({ endpoint: 'http://127.0.0.1:3000/v1/clevertap/messages',
 *   auth: { kind: 'bearer', token: 't' }, campaignId: '1639561857', count: 1000, concurrency: 100 });
 * console.log(formatFunnel(ct.funnel('1639561857')));
 * await ct.close();
 * ```
 */
import { ReceiverState } from './receiver-state.js';
import type { HeldRequests } from './receiver-routes.js';
import { buildServer } from './server.js';
import type { ClevertapSimulator, ClevertapSimulatorOptions } from './types.js';

export type * from './types.js';
export { runCampaign, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, DEFAULT_WABA_NUMBER, defaultRecipient } from './campaign.js';
export { PAYLOAD_SHAPES, TEMPLATE_SHAPES, FREEFORM_SHAPES, buildPayload, type PayloadShape, type PayloadFields } from './payloads.js';
export { formatFunnel } from './format-funnel.js';
export { campaignOf, campaignMsgId } from './msg-id.js';
export { validateDlr, DLR_STATUSES } from './validate-dlr.js';
export { validateImo, IMO_TYPES } from './validate-imo.js';
export { orderProblem } from './funnel.js';

export async function startClevertapSimulator(options: ClevertapSimulatorOptions = {}): Promise<ClevertapSimulator> {
  const state = new ReceiverState(options.maxRecords, options.faultClock);
  const held: HeldRequests = new Set();
  const app = buildServer(state, held, () => state.clear());
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;
  const withAccount = (base: string, accountId?: string) => (accountId === undefined ? base : `${base}/${encodeURIComponent(accountId)}`);

  let closed = false;
  return {
    url,
    deliveryReportUrl: (accountId) => withAccount(`${url}/dlr`, accountId),
    inboundMessageUrl: (accountId) => withAccount(`${url}/imo`, accountId),
    deliveryReports: () => state.dlrLog.all(),
    inboundMessages: () => state.imoLog.all(),
    rejectedBodies: () => state.rejectedLog.all(),
    statusesOf: (msgId) => state.book.statusesOf(msgId),
    orderViolations: () => state.book.orderViolations(),
    funnel: (campaignId) => state.book.funnel(campaignId),
    failFor: (o) => state.faults.failFor(o),
    timeoutFor: (o) => state.faults.timeoutFor(o),
    slowFor: (o) => state.faults.slowFor(o),
    healthy: () => state.faults.healthy(),
    reset: () => state.clear(),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const release of [...held]) release();
      await app.close();
    },
  };
}
