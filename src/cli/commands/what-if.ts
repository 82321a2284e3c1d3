import type { Command } from 'commander';
import { loadRun, RunNotFoundError } from '../../audit/load-run.ts';
import { provenanceWhatIf } from '../../audit/provenance-what-if.ts';
import { recordedDecisions } from '../../audit/recorded-decisions.ts';
import { keyword, recordsFromResult } from '../../audit/timeline.ts';
import { whatIf } from '../../audit/what-if.ts';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import { unverifiedWords } from '../../provenance/explain.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { CliError } from '../errors.ts';
import { currentProject } from '../project.ts';
import { printJson, progress, withOpsSession } from './ops-session.ts';

export function registerWhatIf(program: Command): void {
  program
    .command('what-if')
    .description(
      "re-take a past run's authorization decisions, and its calls' provenance verdicts under the project's tool declarations, under another policy; show what changes",
    )
    .argument('<run>', 'workflow id of the run')
    .requiredOption('--policy <dir>', 'policy directory (*.polar + facts) to evaluate against')
    .option('--json', 'print the report as JSON')
    .action(async (workflowId: string, options: { policy: string; json?: boolean }) => {
      await withOpsSession(async ({ config, client }) => {
        const run = await loadRun(client, workflowId).catch((error: unknown) => {
          if (error instanceof RunNotFoundError) throw new CliError(error.message, 1);
          throw error;
        });
        const authorizer = await createAuthorizer({ ...config, WARDEN_POLICY_DIR: options.policy }).catch(
          (error: unknown) => {
            throw new CliError(
              `cannot load policy ${options.policy}: ${error instanceof Error ? error.message : error}`,
            );
          },
        );
        try {
          progress(
            `re-taking the decisions of ${workflowId} under ${options.policy} (policy ${authorizer.policyVersion()})…`,
          );
          const project = await currentProject();
          // The zones' keys and each tool's zone from this host: a decision no zone signed is not re-taken.
          const verifier = hostDecisionVerifier(config, project?.tools);
          const report = await whatIf(run, authorizer, verifier);
          const provenance = project
            ? await provenanceWhatIf(
                run.workflowId,
                recordsFromResult(run.result),
                keyword(run.searchAttributes.WardenUser),
                {
                  tools: project.tools,
                  agents: project.agents,
                  authorizer,
                },
                // Provenance as the zones' workers signed it: a hostile run's records are not re-decided.
                recordedDecisions(run, verifier),
              )
            : undefined;
          if (options.json) {
            printJson(provenance ? { ...report, provenance } : report);
            return;
          }
          for (const row of report.rows) {
            const was = row.recorded.allowed ? 'allow' : 'deny';
            const now = row.replayed.allowed ? 'allow' : 'deny';
            const mark = row.changed ? 'CHANGED' : 'same   ';
            console.log(
              `${mark} ${row.action} ${row.tool} by ${row.actor}${row.onBehalfOf ? ` for ${row.onBehalfOf}` : ''}: ${was} → ${now}${row.changed ? ` (${row.replayed.reason})` : ''}`,
            );
          }
          for (const row of report.unverified) {
            console.log(
              `UNVERIFIED authorization ${row.tool}#${row.callId}: not re-taken, ${unverifiedWords(row.problem)}`,
            );
          }
          console.log(
            `${report.decisions} decisions re-taken, ${report.changed} would change${report.unverified.length ? `, ${report.unverified.length} unverified (not re-taken)` : ''}`,
          );
          if (provenance === undefined) return;
          for (const row of provenance.rows) {
            if (row.unverified !== undefined) {
              console.log(
                `UNVERIFIED provenance ${row.tool}#${row.callId} (${row.outcome}): not re-decided, ${unverifiedWords(row.unverified)}`,
              );
              continue;
            }
            const mark = row.changed ? 'CHANGED' : 'same   ';
            const tool = row.unknownTool ? ' (tool no longer in the project: not re-decided)' : '';
            console.log(
              `${mark} provenance ${row.tool}#${row.callId} (${row.outcome}): ${row.recorded} → ${row.now}${tool}${row.changed && row.why.length ? ` (${row.why.join('; ')})` : ''}`,
            );
          }
          const unverified = provenance.rows.filter((row) => row.unverified !== undefined).length;
          console.log(
            `${provenance.calls - unverified} provenance verdicts re-decided, ${provenance.changed} would change${unverified ? `, ${unverified} unverified (not re-decided)` : ''}`,
          );
        } finally {
          await authorizer.close();
        }
      });
    });
}
