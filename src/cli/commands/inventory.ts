import type { Command } from 'commander';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import type { OsoValue } from '../../authz/types.ts';
import { formatValue } from '../../authz/values.ts';
import { cliConfig, requireProject } from '../project.ts';
import { printJson } from './ops-session.ts';

export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description('agents, identities, tools, and what each agent may do for each user under the policy')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const project = await requireProject();
      const { agents } = project;
      const config = await cliConfig();
      const authorizer = await createAuthorizer(config);
      try {
        const users = await authorizer.knownValues('User');
        const tools = [...project.tools.values()].map((t) => ({
          name: t.name,
          risk: t.risk,
          zone: t.zone,
          description: t.description,
        }));
        const agentRows = [];
        for (const agent of agents.values()) {
          const actor: OsoValue = { type: 'Agent', id: agent.identity };
          const permissions: Array<{ user: string; tool: string; actions: string[] }> = [];
          for (const user of users) {
            for (const tool of agent.tools) {
              // The same request the guard makes: the agent's identity acting for the user.
              const actions = await authorizer.actions(actor, { type: 'Tool', id: tool.name }, [
                ['acts_for', actor, user],
              ]);
              permissions.push({ user: formatValue(user), tool: tool.name, actions: actions.sort() });
            }
          }
          agentRows.push({
            name: agent.name,
            identity: formatValue(actor),
            purpose: agent.purpose,
            tools: agent.tools.map((t) => t.name),
            permissions,
          });
        }
        const report = {
          policyVersion: authorizer.policyVersion(),
          engine: authorizer.engine,
          identities: {
            agents: (await authorizer.knownValues('Agent')).map(formatValue),
            users: users.map(formatValue),
          },
          tools,
          agents: agentRows,
        };
        if (options.json) {
          printJson(report);
          return;
        }
        console.log(`policy ${report.policyVersion} (${report.engine})`);
        console.log(`identities: ${[...report.identities.agents, ...report.identities.users].join(', ')}`);
        console.log('tools:');
        for (const t of tools) console.log(`  ${t.name.padEnd(22)} risk ${t.risk.padEnd(8)} zone ${t.zone}`);
        for (const a of agentRows) {
          console.log(`agent ${a.name} (${a.identity}): ${a.purpose}`);
          for (const user of users) {
            const rows = a.permissions.filter((p) => p.user === formatValue(user));
            const may = rows.filter((p) => p.actions.includes('invoke'));
            console.log(`  for ${formatValue(user)}: ${may.length ? '' : 'nothing'}`);
            for (const p of may) {
              const how = p.actions.includes('invoke_unattended')
                ? 'unattended'
                : 'needs approval (unless within policy limits)';
              console.log(`    ${p.tool.padEnd(22)} ${how}`);
            }
          }
        }
      } finally {
        await authorizer.close();
      }
    });
}
