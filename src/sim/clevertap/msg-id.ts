/**
 * @module sim/clevertap/msg-id
 * CleverTap's msgId is `i|campaignID|batchID|j[|variant]` (spec §1.1); the campaign is the
 * second field, which is how the funnel groups statuses and replies.
 */

/** `"25596363|1639561857|20220227|25596363"` → `"1639561857"`; undefined when there is no second field. */
export function campaignOf(msgId: string): string | undefined {
  const first = msgId.indexOf('|');
  if (first < 0) return undefined;
  const second = msgId.indexOf('|', first + 1);
  const id = second < 0 ? msgId.slice(first + 1) : msgId.slice(first + 1, second);
  return id === '' ? undefined : id;
}

/** The msgId CleverTap would send for message `index` (0-based) of a campaign batch. */
export function campaignMsgId(campaignId: string, batchId: string, index: number): string {
  const i = index + 1;
  return `${i}|${campaignId}|${batchId}|${i}`;
}

/** Today's date as YYYYMMDD (UTC), the shape of the batch field in CleverTap's samples. */
export function todayBatchId(now = new Date()): string {
  return now.toISOString().slice(0, 10).replaceAll('-', '');
}
