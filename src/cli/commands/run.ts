import { existsSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { startAgentRun } from '../../agents/start-run.ts';
import { parseUserRef } from '../../approvals/auth/approver-identity.ts';
import { listScenarios } from '../../models/scripted/load-scenarios.ts';
import { pendingApprovalsQuery } from '../../workflows/guard/definitions.ts';
import { CliError, failureCause } from '../errors.ts';
import { cliConfig, requireProject } from '../project.ts';
import { printJson, progress, withOpsSession } from './ops-session.ts';

interface RunOptions {
  as: string;
  scenario?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start an agent run for a user (workers must be running: `warden dev`)')
    .argument('<agent>', "an agent of the project's catalog")
    .argument('<input>', 'what the user asks the agent')
    .requiredOption('--as <user>', 'the user the agent acts for, e.g. alice or User:alice')
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
      const user = parseUserRef(options.as);
      if (user.type !== 'User') throw new CliError(`--as names a user (User:id), not ${user.type}`);
      await withOpsSession(async ({ client, config }) => {
        const handle = await startAgentRun(client, {
          taskQueue: config.WARDEN_TASK_QUEUE,
          agent,
          onBehalfOf: user.id,
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
          handle
            .query(pendingApprovalsQuery)
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
