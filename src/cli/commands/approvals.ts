import type { Command } from 'commander';
import {
  DEFAULT_LISTING_RUNS,
  listPendingApprovals,
  MAX_LISTING_RUNS,
  pendingApprovalsPage,
} from '../../approvals/list-pending.ts';
import { withRecordedProvenance } from '../../approvals/recorded-provenance.ts';
import { explainProvenance, requestStandingWords, UNVERIFIED_NOT_SHOWN } from '../../provenance/explain.ts';
import { age, whyShown } from '../../web/pages.ts';
import { pendingView } from '../../web/temporal-backend.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { CliError } from '../errors.ts';
import { currentProject } from '../project.ts';
import { printJson, progress, withOpsSession } from './ops-session.ts';

function runLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTING_RUNS) {
    throw new CliError(
      `--limit takes a whole number of runs from 1 to ${MAX_LISTING_RUNS}, not ${JSON.stringify(text)}`,
    );
  }
  return limit;
}

export function registerApprovals(program: Command): void {
  program
    .command('approvals')
    .description('list tool calls waiting for approval, across runs')
    .option('--run <run>', 'only this run')
    .option(
      '--limit <runs>',
      `read at most this many runs with calls waiting (from their memos, a query each for runs that do not list their calls there; default ${DEFAULT_LISTING_RUNS}, at most ${MAX_LISTING_RUNS})`,
    )
    .option('--json', 'print JSON')
    .action(async (options: { run?: string; limit?: string; json?: boolean }) => {
      const limit = options.limit === undefined ? DEFAULT_LISTING_RUNS : runLimit(options.limit);
      const tools = (await currentProject())?.tools;
      await withOpsSession(async ({ client, config }) => {
        let more = false;
        let listed: Awaited<ReturnType<typeof pendingApprovalsPage>>['items'];
        if (options.run) {
          listed = await listPendingApprovals(client, { workflowId: options.run });
        } else {
          const page = await pendingApprovalsPage(client, { limit });
          listed = page.items;
          more = page.next !== undefined;
        }
        // Said on stderr, so that --json stays one array.
        const moreNote = () => {
          if (more)
            progress(
              `more runs have calls waiting than the ${limit} read: raise --limit (at most ${MAX_LISTING_RUNS}) or name one with --run`,
            );
        };
        // Reasons and provenance as the tool worker signed them, not as the run reports them.
        const verifier = hostDecisionVerifier(config, tools);
        const pending = withRecordedProvenance(listed, verifier).map(pendingView);
        const now = Date.now();
        if (options.json) {
          // What a person reads: the view, not the run's raw report the approval service signs from
          // (it repeats the arguments and carries the tool worker's whole answer, grants included).
          printJson(
            pending.map(({ source: _source, ...p }) => ({
              ...p,
              ageSeconds: Math.round((now - Date.parse(p.requestedAt)) / 1000),
            })),
          );
          moreNote();
          return;
        }
        if (pending.length === 0) {
          console.log('no tool calls are waiting for approval');
          moreNote();
          return;
        }
        for (const p of pending) {
          console.log(
            `${p.workflowId}  call ${p.callId}  ${p.tool}  risk ${p.risk}  waiting ${age(p.requestedAt, now)}`,
          );
          console.log(
            `  requested by ${p.requester} via ${p.agent}; approvals ${p.approvalsSoFar.length}/${p.quorum}`,
          );
          console.log(`  why: ${whyShown(p).join('; ') || '-'}`);
          if (p.decisionCheck?.verified === false) {
            console.log(`  request: ${UNVERIFIED_NOT_SHOWN}`);
            console.log(`  provenance: ${UNVERIFIED_NOT_SHOWN}`);
          } else if (p.request !== undefined) {
            const standing = p.provenance ? ` (${requestStandingWords(p.provenance.request)})` : '';
            console.log(`  request${standing}: ${JSON.stringify(p.request)}`);
          }
          for (const line of p.provenance ? explainProvenance(p.provenance, p.requester) : []) {
            console.log(`  provenance: ${line}`);
          }
          console.log(`  arguments: ${JSON.stringify(p.arguments)}`);
        }
        console.log(
          `${pending.length} pending; decide with: warden approve|reject <run> <call> --reason "…"`,
        );
        moreNote();
      });
    });
}
