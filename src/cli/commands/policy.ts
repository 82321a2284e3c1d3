import path from 'node:path';
import type { Command } from 'commander';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import { loadPolicyDir } from '../../authz/policy-loader.ts';
import { runPolicyTests } from '../../authz/policy-tests/runner.ts';
import { type AuthzDecision, type ContextFact, PolicyError } from '../../authz/types.ts';
import { formatFact, formatValue, parseContextFact, parseValue } from '../../authz/values.ts';
import { ConfigError } from '../../config/env.ts';
import { CliError } from '../errors.ts';
import { cliConfig } from '../project.ts';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('test the authorization policy and check decisions');

  policy
    .command('test')
    .description("run the policy's test blocks offline on the embedded engine (exit 1 on a failure)")
    .option('--dir <dir>', "policy directory (default: WARDEN_POLICY_DIR, else the project's)")
    .action(async (opts: { dir?: string }) => {
      const dir = await policyDir(opts.dir);
      const { model } = await load(() => loadPolicyDir(dir));
      const report = await load(() => runPolicyTests(model));
      for (const r of report.results) {
        const detail = r.error ? ` (${r.error})` : '';
        console.log(`${r.passed ? 'pass' : 'FAIL'}  ${r.test} › ${r.assertion}  ${r.location}${detail}`);
      }
      console.log(`${report.passed} passed, ${report.failed} failed`);
      process.exitCode = report.failed > 0 ? 1 : 0;
    });

  policy
    .command('check')
    .description('print the decision for one request (exit 0 allowed, 1 denied, 2 error)')
    .argument('<actor>', 'e.g. Agent:support-bot')
    .argument('<action>', 'e.g. invoke')
    .argument('<resource>', 'e.g. Tool:crm.issue_refund')
    .option('--for <user>', 'the user the actor acts for, e.g. User:alice')
    .option(
      '--context <fact...>',
      'context facts as predicate:arg,arg e.g. refund_amount:Tool:crm.issue_refund,250',
    )
    .option('--dir <dir>', "policy directory (default: WARDEN_POLICY_DIR, else the project's)")
    .option('--json', 'print the decision record as JSON')
    .action(
      async (
        actorText: string,
        action: string,
        resourceText: string,
        opts: { for?: string; context?: string[]; dir?: string; json?: boolean },
      ) => {
        const actor = usage(() => parseValue(actorText));
        const resource = usage(() => parseValue(resourceText));
        const onBehalfOf = opts.for === undefined ? undefined : usage(() => parseValue(opts.for as string));
        const context: ContextFact[] = (opts.context ?? []).map((c) => usage(() => parseContextFact(c)));
        const config = await cliConfig().catch((error: unknown) =>
          usage(() => {
            throw error;
          }),
        );
        const dir = await policyDir(opts.dir);
        const authz = await load(() => createAuthorizer({ ...config, WARDEN_POLICY_DIR: dir }));
        try {
          const decision = await authz.authorize({
            actor,
            action,
            resource,
            ...(onBehalfOf ? { onBehalfOf } : {}),
            context,
          });
          console.log(opts.json ? JSON.stringify(decision, null, 2) : renderDecision(decision));
          process.exitCode = decision.error !== undefined ? 2 : decision.allowed ? 0 : 1;
        } finally {
          await authz.close();
        }
      },
    );
}

export function renderDecision(d: AuthzDecision): string {
  const lines = [
    `${d.allowed ? 'ALLOWED' : 'DENIED'}  ${formatValue(d.actor)} ${d.action} ${formatValue(d.resource)}`,
    `  on behalf of: ${d.onBehalfOf ? formatValue(d.onBehalfOf) : '-'}`,
    `  context:      ${d.context.length > 0 ? d.context.map(formatFact).join(', ') : '-'}`,
    `  engine:       ${d.engine}`,
    `  policy:       ${d.policyVersion}`,
    `  facts:        ${d.factsVersion}`,
    `  duration:     ${d.durationMs} ms`,
    `  reason:       ${d.reason}`,
  ];
  if (d.error !== undefined) lines.push(`  error:        ${d.error}`);
  return lines.join('\n');
}

/** `--dir`, else WARDEN_POLICY_DIR, else the project's policy directory, else ./policies. */
async function policyDir(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return path.resolve(flag);
  return (await cliConfig()).WARDEN_POLICY_DIR;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PolicyError || error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

async function load<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`policy not loaded: ${error.message}`, 2);
    throw error;
  }
}
