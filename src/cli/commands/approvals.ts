import type { Command } from 'commander';
import { listPendingApprovals } from '../../approvals/list-pending.ts';
import { withRecordedProvenance } from '../../approvals/recorded-provenance.ts';
import { explainProvenance, requestStandingWords, whyPerson } from '../../provenance/explain.ts';
import { age } from '../../web/pages.ts';
import { pendingView } from '../../web/temporal-backend.ts';
import { printJson, withOpsSession } from './ops-session.ts';

export function registerApprovals(program: Command): void {
  program
    .command('approvals')
    .description('list tool calls waiting for approval, across runs')
    .option('--run <run>', 'only this run')
    .option('--json', 'print JSON')
    .action(async (options: { run?: string; json?: boolean }) => {
      await withOpsSession(async ({ client }) => {
        const listed = await listPendingApprovals(client, options.run ? { workflowId: options.run } : {});
        // Provenance as the tool worker recorded it, not as the run reports it.
        const pending = (await withRecordedProvenance(client, listed)).map(pendingView);
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
          console.log(`  why: ${whyPerson(p.reasons, p.provenance).join('; ') || '-'}`);
          if (p.request !== undefined) {
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
