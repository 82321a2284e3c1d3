import type { ToolServices } from 'warden';
import type { CrmService, Egress } from '../../../test/support/example.ts';
import { RunEnvironments } from '../../harness/environments.ts';

/** One run's support desk: the example's CRM and its egress recorder. */
export interface SupportDesk {
  crm: CrmService;
  egress: Egress;
}

/** Each evaluation run's desk, by workflow id (registered by the evaluation before the run). */
export const supportEnvironments = new RunEnvironments<SupportDesk>();

export function supportServices(): ToolServices {
  return {
    crm: supportEnvironments.view((desk) => desk.crm),
    egress: supportEnvironments.view((desk) => desk.egress),
  };
}
