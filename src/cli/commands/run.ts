import { existsSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { newRunId, startAgentRun } from '../../agents/start-run.ts';
import { ApproverAuthError, type ApproverIdentity } from '../../approvals/auth/approver-identity.ts';
import { ApproverAuthenticator } from '../../approvals/auth/authenticate.ts';
import {
  type CredentialOptions,
  credentialsFrom,
  withCredentialOptions,
} from '../../approvals/auth/cli-credentials.ts';
import { listPendingApprovals } from '../../approvals/list-pending.ts';
import { issueRequesterAssertion } from '../../approvals/requester-assertion.ts';
import { resolveDecisionSigner, SigningKeyError } from '../../approvals/signing-keys.ts';
import type { WardenConfig } from '../../config/env.ts';
import { listScenarios } from '../../models/scripted/load-scenarios.ts';
import { CliError, failureCause } from '../errors.ts';
import { cliConfig, requireProject } from '../project.ts';
import { printJson, progress, withOpsSession } from './ops-session.ts';

interface RunOptions extends CredentialOptions {
  scenario?: string;
  wait?: boolean;
  json?: boolean;
}

/** Who the run acts for: the user the credential proves, never a name typed in (except `--as` in development). */
async function requester(config: WardenConfig, options: CredentialOptions): Promise<ApproverIdentity> {
  let identity: ApproverIdentity;
  try {
    identity = await ApproverAuthenticator.fromConfig(config).verify(credentialsFrom(options, process.env));
  } catch (error) {
    if (error instanceof ApproverAuthError) throw new CliError(error.message, 1);
    throw error;
  }
  if (identity.user.type !== 'User')
    throw new CliError(`a run acts for a user (User:id), not ${identity.user.type}`);
  return identity;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('start an agent run for you, as your token proves (workers must be running: `warden dev`)')
    .argument('<agent>', "an agent of the project's catalog")
    .argument('<input>', 'what the user asks the agent');
  withCredentialOptions(command)
    .option('--scenario <name>', "scripted model scenario (<name>.yaml in the project's scenario directory)")
    .option('--wait', 'wait for the run to finish, reporting approvals it waits for')
    .option('--json', 'print the run (and, with --wait, its result) as JSON')
    .action(async (agent: string, input: string, options: RunOptions) => {
      const { agents, scenarioDir } = await requireProject();
      if (!agents.has(agent)) {
        throw new CliError(`unknown agent "${agent}"; known: ${[...agents.keys()].join(', ')}`);
      }
      const config = await cliConfig();
      if (config.WARDEN_MODEL === 'scripted') {
        // The scripted model answers from a scenario file: without one the run could only fail.
        const known = existsSync(scenarioDir) ? listScenarios(scenarioDir).map((s) => s.name) : [];
        if (options.scenario === undefined)
          throw new CliError(
            `WARDEN_MODEL=scripted needs --scenario <name> (${known.join(', ') || `no scenarios in ${scenarioDir}`}), or set WARDEN_MODEL to an OpenAI model`,
          );
        if (!known.includes(options.scenario))
          throw new CliError(
            `unknown scenario "${options.scenario}" in ${path.relative(process.cwd(), scenarioDir) || '.'}; known: ${known.join(', ') || 'none'}`,
          );
      }
      const identity = await requester(config, options);
      const signer = await resolveDecisionSigner(config).catch((error: unknown) => {
        if (error instanceof SigningKeyError) throw new CliError(error.message, 1);
        throw error;
      });
      const workflowId = newRunId(agent);
      await withOpsSession(async ({ client, config }) => {
        const handle = await startAgentRun(client, {
          taskQueue: config.WARDEN_TASK_QUEUE,
          workflowId,
          agent,
          onBehalfOf: identity.user.id,
          requester: issueRequesterAssertion(signer, identity, workflowId, { request: input }),
          input,
          ...(options.scenario ? { scenario: options.scenario } : {}),
        });
        if (!options.wait) {
          if (options.json) printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          else console.log(`started ${handle.workflowId}; follow it with: warden audit ${handle.workflowId}`);
          return;
        }
        progress(`started ${handle.workflowId}; waiting for it to finish…`);
        const announced = new Set<string>();
        const poll = setInterval(() => {
          // The run's memo, read by a describe: watching a paused run does not replay it.
          listPendingApprovals(client, { workflowId: handle.workflowId })
            .then((pending) => {
              for (const p of pending) {
                if (announced.has(p.callId)) continue;
                announced.add(p.callId);
                progress(
                  `waiting for approval: ${p.tool} call ${p.callId} (${p.reasons.join('; ') || 'policy'}); ` +
                    `warden approve ${handle.workflowId} ${p.callId}`,
                );
              }
            })
            .catch(() => {});
        }, 1_000);
        try {
          const result = await handle.result().catch((error: unknown) => {
            if (error instanceof WorkflowFailedError)
              throw new CliError(`${handle.workflowId} failed: ${failureCause(error)}`, 1);
            throw error;
          });
          if (options.json) {
            printJson({ workflowId: handle.workflowId, result });
            return;
          }
          console.log(`${handle.workflowId}: ${result.status}${result.reason ? ` (${result.reason})` : ''}`);
          if (result.finalOutput) console.log(result.finalOutput);
          console.log(`audit: warden audit ${handle.workflowId}`);
        } finally {
          clearInterval(poll);
        }
      });
    });
}
