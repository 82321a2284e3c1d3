import type { ServicesFactory } from 'warden';
import { CrmService } from './crm-service.ts';
import { Egress } from './egress.ts';

declare module 'warden' {
  /** What the support copilot's tools use; only the workers that run them create these. */
  interface ToolServices {
    crm: CrmService;
    egress: Egress;
  }
}

/** One CRM and one egress recorder per worker process, shared by its zones. */
let shared: { crm: CrmService; egress: Egress } | undefined;

export const services: ServicesFactory = () => {
  shared ??= { crm: new CrmService(), egress: new Egress() };
  return shared;
};
