import path from 'node:path';
import type { Command } from 'commander';
import { boundWorkflowId, decodeHistoryPayloads } from '../../audit/decode-history.ts';
import { fetchRunHistory, RunNotFoundError, readHistoryFile } from '../../audit/load-run.ts';
import { replayHistory } from '../../audit/replay-run.ts';
import { decodeRunHistory } from '../../audit/run-history.ts';
import { buildTimeline } from '../../audit/timeline.ts';
import { tracesWorkflows } from '../../telemetry/tracing.ts';
import { wardenDataConverter } from '../../temporal/data-converter.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { CliError } from '../errors.ts';
import { cliConfig, currentProject, requireProject } from '../project.ts';
import { printTimeline } from './audit.ts';
import { progress, withOpsSession } from './ops-session.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("replay a run with the project's current workflow code; exit 1 on nondeterminism")
    .argument('[run]', 'workflow id of the run')
    .option('--history <file>', 'replay a history exported as JSON instead of fetching one')
    .option('--workflows <module>', "replay against this workflows module instead of the project's")
    .option(
      '--workflow-tracing <on|off>',
      'bundle with (on) or without (off) the workflow tracing interceptors, not as the history was recorded',
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (
        runId: string | undefined,
        options: { history?: string; workflows?: string; workflowTracing?: string; json?: boolean },
      ) => {
        const asked = options.workflowTracing;
        if (asked !== undefined && asked !== 'on' && asked !== 'off') {
          throw new CliError('--workflow-tracing is on or off');
        }
        if ((runId === undefined) === (options.history === undefined)) {
          throw new CliError('give a run id or --history <file> (one of them)');
        }
        const history = options.history
          ? await readHistoryFile(options.history).catch(toCliError)
          : await withOpsSession(({ client }) => fetchRunHistory(client, runId as string)).catch(toCliError);
        const workflowId = runId ?? boundWorkflowId(history) ?? options.history ?? 'history';
        progress(
          `replaying ${history.events?.length ?? 0} events of ${workflowId} with the current workflow code…`,
        );
        const workflowsPath = options.workflows
          ? path.resolve(options.workflows)
          : (await requireProject()).workflowsPath;
        const project = await currentProject();
        const config = await cliConfig();
        const dataConverter = await wardenDataConverter(config);
        const report = await replayHistory(history, workflowId, workflowsPath, dataConverter, {
          projectTracesWorkflows: tracesWorkflows(project?.tracing),
          ...(asked !== undefined ? { traceWorkflows: asked === 'on' } : {}),
        });
        // Replay decrypted its own copy; the timeline needs the payloads in plaintext too.
        const decoded = await decodeHistoryPayloads(history, dataConverter.payloadCodecs ?? [], {
          namespace: config.TEMPORAL_NAMESPACE,
          workflowId,
        });
        const decisions = hostDecisionVerifier(config, (await currentProject())?.tools);
        const timeline = buildTimeline(decodeRunHistory(decoded, workflowId), undefined, { decisions });
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ...report, timeline }, null, 2)}\n`);
        } else {
          printTimeline(timeline);
          const { traceWorkflows, from } = report.workflowTracing;
          console.log(
            `workflow tracing interceptors: ${traceWorkflows ? 'on' : 'off'} (${REPLAY_TRACING_FROM[from]})`,
          );
          console.log(
            report.ok
              ? `replay ok: ${report.events} events, deterministic (${Math.round(report.durationMs)} ms)`
              : `replay FAILED${report.nondeterminism ? ' (nondeterminism)' : ''}: ${report.error}`,
          );
        }
        if (!report.ok) throw new CliError(`replay of ${workflowId} diverged: ${report.error}`, 1);
      },
    );
}

const REPLAY_TRACING_FROM = {
  'sdk-flag': 'as recorded: the history has their SDK flags',
  'trace-header': 'as recorded: the history has their trace headers',
  'none-recorded': 'as recorded: the history has none of their flags or headers',
  project: "the project's tracing.workflows: the history shows neither way",
  asked: '--workflow-tracing',
} as const;

function toCliError(error: unknown): never {
  if (error instanceof RunNotFoundError) throw new CliError(error.message, 1);
  throw error;
}
