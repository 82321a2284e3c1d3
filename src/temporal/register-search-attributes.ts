import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';

// The package is CommonJS; Node's ESM loader only exposes its default export.
const { temporal } = proto;

import { WARDEN_SEARCH_ATTRIBUTES } from './search-attributes.ts';

const INDEXED = temporal.api.enums.v1.IndexedValueType;

/**
 * Registers Warden's search attributes on an existing cluster. Clusters that do not allow it
 * (Temporal Cloud manages them in its console) get a warning, not a failure: runs still work,
 * they are only harder to filter.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = WARDEN_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
    if (missing.length === 0) return;
    const searchAttributes: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
    for (const key of missing) {
      searchAttributes[key.name] =
        key.type === SearchAttributeType.INT
          ? INDEXED.INDEXED_VALUE_TYPE_INT
          : INDEXED.INDEXED_VALUE_TYPE_KEYWORD;
    }
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(
      `warning: could not register Warden's search attributes (${reason}); register them on the cluster to filter runs`,
    );
  }
}
