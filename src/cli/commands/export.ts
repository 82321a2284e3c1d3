import type { Command } from 'commander';
import { exportAudit } from '../../audit/siem-export.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { CliError } from '../errors.ts';
import { currentProject } from '../project.ts';
import { progress, withOpsSession, writeOut } from './ops-session.ts';

export function parseSince(text: string, now = Date.now()): Date {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(relative[1]) * unit);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new CliError(`invalid --since "${text}": use an ISO time or e.g. 24h, 7d`);
  return date;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('audit lines for a SIEM: one JSON object per decision, approval and tool outcome')
    .option('--since <time>', 'only runs started at or after this time (ISO, or 30m / 24h / 7d)')
    .option('--format <format>', 'warden (the audit records) or ocsf (OCSF API Activity events)', 'warden')
    .action(async (options: { since?: string; format: string }) => {
      const since = options.since ? parseSince(options.since) : undefined;
      if (options.format !== 'warden' && options.format !== 'ocsf')
        throw new CliError(`invalid --format "${options.format}": use warden or ocsf`);
      const format = options.format;
      const started = performance.now();
      const tools = (await currentProject())?.tools;
      await withOpsSession(async ({ client, config }) => {
        const totals = await exportAudit(client, {
          ...(since ? { since } : {}),
          format,
          decisions: hostDecisionVerifier(config, tools),
          write: writeOut,
          progress: ({ runs, lines }) => {
            if (runs % 50 === 0) progress(`exported ${lines} lines from ${runs} runs…`);
          },
        });
        const seconds = (performance.now() - started) / 1000;
        progress(
          `exported ${totals.lines} lines from ${totals.runs} runs in ${seconds.toFixed(1)} s (${Math.round(totals.lines / Math.max(seconds, 0.001))} lines/s)`,
        );
        for (const { workflowId, reason } of totals.unreadable.slice(0, 5))
          progress(`skipped ${workflowId}: ${reason}`);
        if (totals.unreadable.length > 5) progress(`skipped ${totals.unreadable.length - 5} more runs`);
      });
    });
}
