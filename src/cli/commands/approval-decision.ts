import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { ApproverAuthError } from '../../approvals/auth/approver-identity.ts';
import { ApproverAuthenticator } from '../../approvals/auth/authenticate.ts';
import {
  type CredentialOptions,
  credentialsFrom,
  withCredentialOptions,
} from '../../approvals/auth/cli-credentials.ts';
import { ApprovalRefusedError } from '../../approvals/submit-approval.ts';
import { fetchRunHistory, RunNotFoundError } from '../../audit/load-run.ts';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import type { DecisionRecord } from '../../guard/types.ts';
import { TemporalApprovalsBackend } from '../../web/temporal-backend.ts';
import { decisionRecordsQuery } from '../../workflows/guard/definitions.ts';
import { CliError } from '../errors.ts';
import { requireProject } from '../project.ts';
import { withOpsSession } from './ops-session.ts';

/** Explains a refused approval more precisely: an unknown call id vs one that was already decided. */
async function explainRefusal(
  client: Client,
  workflowId: string,
  callId: string,
  message: string,
): Promise<string> {
  if (!message.startsWith('no call')) return message;
  try {
    const records: DecisionRecord[] = await client.workflow.getHandle(workflowId).query(decisionRecordsQuery);
    const record = records.find((r) => r.callId === callId);
    if (!record) return `unknown call id ${callId} in run ${workflowId}`;
    const detail = record.reason.startsWith(record.outcome)
      ? record.reason
      : `${record.outcome}: ${record.reason}`;
    return `call ${callId} was already decided: ${detail}`;
  } catch {
    return message;
  }
}

/** `warden approve` and `warden reject`: the approver's identity comes from the token, never from a flag. */
export function registerDecision(program: Command, decision: 'approve' | 'reject'): void {
  const command = program
    .command(decision)
    .description(`${decision} one pending tool call (addressed by run and call id)`)
    .argument('<run>', 'workflow id of the run')
    .argument('<call>', 'call id of the pending tool call');
  if (decision === 'reject') command.requiredOption('--reason <text>', 'why (recorded in the run history)');
  else command.option('--reason <text>', 'why (recorded in the run history)');
  withCredentialOptions(command).action(
    async (workflowId: string, callId: string, options: CredentialOptions & { reason?: string }) => {
      const { tools } = await requireProject();
      await withOpsSession(async ({ client, config }) => {
        let identity: Awaited<ReturnType<ApproverAuthenticator['verify']>>;
        try {
          identity = await ApproverAuthenticator.fromConfig(config).verify(
            credentialsFrom(options, process.env),
          );
        } catch (error) {
          if (error instanceof ApproverAuthError) throw new CliError(error.message, 1);
          throw error;
        }
        // Fails with "unknown run" before anything is signed or sent.
        await fetchRunHistory(client, workflowId).catch((error: unknown) => {
          if (error instanceof RunNotFoundError) throw new CliError(error.message, 1);
          throw error;
        });
        // The decision is signed only if the approver may approve under the policy as it is now.
        const authorizer = await createAuthorizer(config);
        try {
          const backend = new TemporalApprovalsBackend(client, config, { authorizer, tools });
          const message = await backend.decide(identity, {
            workflowId,
            callId,
            approve: decision === 'approve',
            reason: options.reason ?? '',
          });
          const how = identity.authentication === 'token' ? '' : ' (unauthenticated-dev)';
          console.log(`${message} [as ${identity.user.type}:${identity.user.id}${how}]`);
        } catch (error) {
          if (error instanceof ApprovalRefusedError) {
            throw new CliError(
              `refused: ${await explainRefusal(client, workflowId, callId, error.message)}`,
              1,
            );
          }
          throw error;
        } finally {
          await authorizer.close();
        }
      });
    },
  );
}

export const registerApprove = (program: Command) => registerDecision(program, 'approve');
export const registerReject = (program: Command) => registerDecision(program, 'reject');
