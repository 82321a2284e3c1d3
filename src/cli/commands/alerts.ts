import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SqliteAlertStore } from '../../alerts/alert-store.ts';
import { detectionFinding } from '../../alerts/ocsf.ts';
import { CliError } from '../errors.ts';
import { cliConfig } from '../project.ts';
import { parseSince } from './export.ts';
import { progress, writeOut } from './ops-session.ts';

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description("recent alerts the tool workers raised (this deployment's data directory), newest first")
    .option('--since <time>', 'only alerts raised at or after this time (ISO, or 30m / 24h / 7d)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print each as an OCSF Detection Finding, one JSON object a line')
    .action(async (options: { since?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`invalid --limit "${options.limit}"`);
      const since = options.since ? parseSince(options.since).getTime() : undefined;
      const config = await cliConfig();
      const store = new SqliteAlertStore(alertsFile(config.WARDEN_DATA_DIR));
      try {
        const alerts = store.recent({ limit, ...(since !== undefined ? { since } : {}) });
        if (options.json) {
          for (const alert of alerts) await writeOut(`${JSON.stringify(detectionFinding(alert))}\n`);
          return;
        }
        if (alerts.length === 0) {
          progress(`no alerts in ${config.WARDEN_DATA_DIR}`);
          return;
        }
        for (const a of alerts) {
          const who = [a.agent, a.user && `for ${a.user}`, a.tool].filter(Boolean).join(' ');
          await writeOut(
            `${new Date(a.at).toISOString()}  ${a.severity.padEnd(8)} ${a.rule.padEnd(18)} ${a.run.workflowId}  ${who}\n    ${a.description}\n`,
          );
        }
      } finally {
        store.close();
      }
    });
}

function alertsFile(dataDir: string): string {
  const file = SqliteAlertStore.fileIn(dataDir);
  if (!existsSync(file))
    throw new CliError(
      `no alerts recorded in ${dataDir} (alerting is on when warden.config.ts has an alerts section)`,
    );
  return file;
}
