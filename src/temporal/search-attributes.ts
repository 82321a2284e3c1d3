import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes every Warden run sets, so ops can filter runs in Temporal Web
 * (e.g. `WardenPendingApprovals > 0`). Registered by the launcher on dev servers.
 */
export const WARDEN_AGENT = defineSearchAttributeKey('WardenAgent', SearchAttributeType.KEYWORD);
export const WARDEN_USER = defineSearchAttributeKey('WardenUser', SearchAttributeType.KEYWORD);
export const WARDEN_STATUS = defineSearchAttributeKey('WardenStatus', SearchAttributeType.KEYWORD);
export const WARDEN_PENDING_APPROVALS = defineSearchAttributeKey(
  'WardenPendingApprovals',
  SearchAttributeType.INT,
);
export const WARDEN_DENIALS = defineSearchAttributeKey('WardenDenials', SearchAttributeType.INT);

export const WARDEN_SEARCH_ATTRIBUTES = [
  WARDEN_AGENT,
  WARDEN_USER,
  WARDEN_STATUS,
  WARDEN_PENDING_APPROVALS,
  WARDEN_DENIALS,
] as const;

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` expects them. */
export function searchAttributeFlags(): string[] {
  return WARDEN_SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${key.type === SearchAttributeType.INT ? 'Int' : 'Keyword'}`,
  ]);
}
