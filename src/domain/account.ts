/**
 * @module domain/account
 * The identity of a tenant as the pipeline sees it: one CleverTap provider configuration bound
 * to one WhatsApp business number. Credentials and URLs live in configuration; this is the part
 * the protocols need.
 */

export type ClevertapAuth =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'headers'; headers: Record<string, string> };
