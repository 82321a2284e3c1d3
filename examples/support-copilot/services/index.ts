import path from 'node:path';
import type { ServicesFactory } from 'warden';
import { CrmService } from './crm-service.ts';
import { DemoDatabase } from './demo-database.ts';
import { Egress } from './egress.ts';

declare module 'warden' {
  /** What the support copilot's tools use; only the workers that run them create these. */
  interface ToolServices {
    crm: CrmService;
    egress: Egress;
  }
}

/** Where the demo's CRM, tickets and outbound requests are kept: SUPPORT_COPILOT_DB, or the data dir. */
export function demoDatabaseFile(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.SUPPORT_COPILOT_DB || path.join(dataDir, 'support-copilot.sqlite');
}

/** The CRM and egress recorder of one store, sharing its connection. */
export function demoServices(db: DemoDatabase): { crm: CrmService; egress: Egress } {
  return { crm: new CrmService(db), egress: new Egress(db) };
}

/** One connection per worker process and file, shared by its zones; the file outlives the process. */
const open = new Map<string, { crm: CrmService; egress: Egress }>();

export const services: ServicesFactory = ({ config }) => {
  const file = path.resolve(demoDatabaseFile(config.WARDEN_DATA_DIR));
  let shared = open.get(file);
  if (!shared) {
    shared = demoServices(new DemoDatabase(file));
    open.set(file, shared);
  }
  return shared;
};
