import type { Command } from 'commander';
import { registerAlerts } from './alerts.ts';
import { registerApprove, registerReject } from './approval-decision.ts';
import { registerApprovals } from './approvals.ts';
import { registerAudit } from './audit.ts';
import { registerCodecServer } from './codec-server.ts';
import { registerDemo } from './demo.ts';
import { registerDev } from './dev.ts';
import { registerDoctor } from './doctor.ts';
import { registerExport } from './export.ts';
import { registerInventory } from './inventory.ts';
import { registerKeys } from './keys.ts';
import { registerPolicy } from './policy.ts';
import { registerReplay } from './replay.ts';
import { registerRun } from './run.ts';
import { registerWeb } from './web.ts';
import { registerWhatIf } from './what-if.ts';
import { registerWorker } from './worker.ts';

/** Every `warden` sub-command, in the order `warden --help` lists them. */
export const commands: Array<(program: Command) => void> = [
  registerDev,
  registerWorker,
  registerDoctor,
  registerDemo,
  registerPolicy,
  registerRun,
  registerApprovals,
  registerApprove,
  registerReject,
  registerWeb,
  registerCodecServer,
  registerAudit,
  registerReplay,
  registerWhatIf,
  registerExport,
  registerAlerts,
  registerInventory,
  registerKeys,
];
