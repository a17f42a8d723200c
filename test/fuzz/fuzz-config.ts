/**
 * @module test/fuzz/fuzz-config
 * Generator branches left out of every run while a known failure in them is being fixed. Each
 * names the issue and the failing route; delete the line once the fix lands, and the branch is
 * fuzzed again (its fixture in test/fixtures/fuzz/ is replayed then too).
 */
export const EXCLUDED: ReadonlyMap<string, string> = new Map<string, string>([
  // A signed inbound webhook whose media id holds a lone surrogate ("\ud800") is answered 500:
  // encodeURIComponent throws URIError in MediaUrlSigner.urlFor (src/http/media-url-signer.ts),
  // and Meta retries a 5xx for days (issue 9 point 1). Found by seed 154690881.
  ['webhook:lone-surrogate', 'issue 9: lone surrogate in an inbound media id → 500'],
  // A signed inbound location with a coordinate out of range (longitude 919999999999) is
  // forwarded to CleverTap, whose format check refuses the callback: the webhook parser
  // (src/whatsapp/webhook-messages.ts, locationContent) checks only for a finite number.
  // Found by seed -858903921 (issue 9 point 1: an item that cannot be understood is kept, not forwarded).
  ['webhook:location-out-of-range', 'issue 9: inbound location out of range → refused IMO callback'],
]);
