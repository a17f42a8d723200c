/**
 * What `GET /v1/admin/dashboard` answers (src/http/routes/admin-dashboard.ts): counts over the
 * messages accepted in a range, and one point per bucket of it.
 */
export interface FunnelCounts {
  accepted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
}

export interface Funnel extends FunnelCounts {
  replied: number;
  clicked: number;
}

export interface FailureCount {
  code: string;
  metaCode?: number;
  reason: string;
  title: string;
  count: number;
}

export interface CampaignStats {
  campaign: string;
  accountId: string;
  firstAcceptedAt: number;
  lastAcceptedAt: number;
  funnel: FunnelCounts;
}

export interface DashboardPoint {
  at: number;
  accepted: number;
  sent: number;
  /** Seconds. */
  answerP50?: number;
  answerP99?: number;
  callbackLagP50?: number;
  callbackLagP99?: number;
}

export interface DashboardAnswer {
  range: { from: number; to: number; bucketMs: number };
  funnel: Funnel;
  failures: FailureCount[];
  campaigns: CampaignStats[];
  series: DashboardPoint[];
}
