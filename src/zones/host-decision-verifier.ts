import type { DecisionVerifier } from '../audit/recorded-decisions.ts';
import type { WardenConfig } from '../config/env.ts';
import type { ZonePublicKeys } from '../guard/zone-signature.ts';
import { DEFAULT_ZONE, type ToolRegistry, toolZones } from '../tools/define-tool.ts';
import { ZoneKeyError, ZoneKeyring } from './zone-keyring.ts';

/**
 * How a host that shows people recorded decisions (approval service, `warden approvals`, `warden
 * audit`, the SIEM export) checks them: the zone public keys of its configuration, for the zones of
 * the tools in its own registry. A host without a zone's keys verifies nothing of that zone (each
 * decision then says so), and a host without the project's tools knows no tool's zone.
 */
export function hostDecisionVerifier(
  config: Pick<WardenConfig, 'WARDEN_ZONE_KEY_DIR' | 'WARDEN_DATA_DIR' | 'WARDEN_MODE'>,
  tools: ToolRegistry | undefined,
): DecisionVerifier {
  return ringDecisionVerifier(ZoneKeyring.fromConfig(config), tools);
}

/** The same, from a zone key ring already open (a worker's, in tests and benchmarks). */
export function ringDecisionVerifier(ring: ZoneKeyring, tools: ToolRegistry | undefined): DecisionVerifier {
  const zones = tools === undefined ? [] : [DEFAULT_ZONE, ...toolZones(tools)];
  const keys: ZonePublicKeys = {};
  for (const zone of zones) {
    try {
      Object.assign(keys, ring.publicKeys([zone]));
    } catch (error) {
      // A zone whose keys this host lacks: its decisions are reported as unverifiable, not trusted.
      if (!(error instanceof ZoneKeyError)) throw error;
    }
  }
  return { keys, zoneOf: (tool) => tools?.get(tool)?.zone };
}
