import type { Command } from 'commander';
import { listPendingApprovals } from '../../approvals/list-pending.ts';
import { withRecordedProvenance } from '../../approvals/recorded-provenance.ts';
import { explainProvenance, requestStandingWords, UNVERIFIED_NOT_SHOWN } from '../../provenance/explain.ts';
import { age, whyShown } from '../../web/pages.ts';
import { pendingView } from '../../web/temporal-backend.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { currentProject } from '../project.ts';
import { printJson, withOpsSession } from './ops-session.ts';

export function registerApprovals(program: Command): void {
  program
    .command('approvals')
    .description('list tool calls waiting for approval, across runs')
    .option('--run <run>', 'only this run')
    .option('--json', 'print JSON')
    .action(async (options: { run?: string; json?: boolean }) => {
      const tools = (await currentProject())?.tools;
      await withOpsSession(async ({ client, config }) => {
        const listed = await listPendingApprovals(client, options.run ? { workflowId: options.run } : {});
        // Reasons and provenance as the tool worker signed them, not as the run reports them.
        const verifier = hostDecisionVerifier(config, tools);
        const pending = (await withRecordedProvenance(client, listed, verifier)).map(pendingView);
        const now = Date.now();
        if (options.json) {
          printJson(
            pending.map((p) => ({ ...p, ageSeconds: Math.round((now - Date.parse(p.requestedAt)) / 1000) })),
          );
          return;
        }
        if (pending.length === 0) {
          console.log('no tool calls are waiting for approval');
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
      });
    });
}
