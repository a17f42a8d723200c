/**
 * @module sim/clevertap/receiver-state
 * Everything the callback receiver remembers: the accepted DLR and IMO logs, the rejected log
 * (bad bodies and fault-window refusals), the funnel book and the fault schedule. The HTTP layer
 * and the control API both read from here, so in-process tests and `/_sim/*` see the same truth.
 */
import { FaultSchedule } from './faults.js';
import { FunnelBook } from './funnel.js';
import { campaignOf } from './msg-id.js';
import { RecordLog } from '../record-log.js';
import type { Problem, ReceivedDlr, ReceivedImo, RejectedBody } from './types.js';
import { formatProblems, type Json } from './validate-common.js';
import { validateDlr } from './validate-dlr.js';
import { validateImo } from './validate-imo.js';

export const DEFAULT_MAX_RECORDS = 200_000;

export type CallbackKind = 'dlr' | 'imo';

export type Verdict = { accepted: true } | { accepted: false; reason: string; problems: Problem[] };

export class ReceiverState {
  readonly dlrLog: RecordLog<ReceivedDlr>;
  readonly imoLog: RecordLog<ReceivedImo>;
  readonly rejectedLog: RecordLog<RejectedBody>;
  readonly book = new FunnelBook();
  readonly faults: FaultSchedule;

  constructor(maxRecords = DEFAULT_MAX_RECORDS, faultClock: () => number = Date.now) {
    this.faults = new FaultSchedule(faultClock);
    this.dlrLog = new RecordLog(maxRecords);
    this.imoLog = new RecordLog(maxRecords);
    this.rejectedLog = new RecordLog(maxRecords);
  }

  /** Validates and, when valid, records a callback body; invalid bodies land in the rejected log. */
  receive(kind: CallbackKind, path: string, accountId: string | undefined, body: unknown): Verdict {
    const receivedAt = Date.now();
    const account = accountId !== undefined ? { accountId } : {};
    if (kind === 'dlr') {
      const v = validateDlr(body);
      if (!v.ok) return this.reject(path, v.problems, body);
      this.dlrLog.push({ seq: this.dlrLog.total, receivedAt, ...account, payloadVersion: v.payloadVersion, statuses: v.statuses, body });
      for (const s of v.statuses) this.book.recordStatus(s);
      return { accepted: true };
    }
    const v = validateImo(body);
    if (!v.ok) return this.reject(path, v.problems, body);
    const { ok: _ok, ...imo } = v;
    const campaignId = v.contextId !== undefined ? campaignOf(v.contextId) : undefined;
    this.imoLog.push({ seq: this.imoLog.total, receivedAt, ...account, ...imo, ...(campaignId ? { campaignId } : {}), body: body as Json });
    if (v.contextId !== undefined) this.book.recordReply(v.contextId);
    return { accepted: true };
  }

  /** A request refused by a fault window: kept for inspection, never counted in the funnel. */
  recordFault(path: string, status: number, reason: string, body: unknown): void {
    this.rejectedLog.push({ seq: this.rejectedLog.total, receivedAt: Date.now(), path, kind: 'fault', status, reason, problems: [], body });
  }

  /** A body that could not even be read as JSON. */
  rejectUnreadable(path: string, message: string, body: unknown): Verdict {
    return this.reject(path, [{ path: '$', message }], body);
  }

  clear(): void {
    this.dlrLog.clear();
    this.imoLog.clear();
    this.rejectedLog.clear();
    this.book.clear();
    this.faults.healthy();
  }

  private reject(path: string, problems: Problem[], body: unknown): Verdict {
    const reason = formatProblems(problems);
    this.rejectedLog.push({ seq: this.rejectedLog.total, receivedAt: Date.now(), path, kind: 'invalid', status: 400, reason, problems, body });
    return { accepted: false, reason, problems };
  }
}
