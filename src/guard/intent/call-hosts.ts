import type { ToolDefinition } from '../../tools/define-tool.ts';
import { hostOf } from '../http-url.ts';
import { argumentAt } from './evaluate.ts';

/** The hosts a call contacts, as its host rules read them; they become known to the run once it ran. */
export function callHosts(tool: ToolDefinition, args: unknown): string[] {
  const hosts: string[] = [];
  for (const rule of tool.intent) {
    if (rule.kind !== 'new_external_host' && rule.kind !== 'allowed_hosts') continue;
    const host = hostOf(argumentAt(args, rule.argument));
    if (host !== undefined && !hosts.includes(host)) hosts.push(host);
  }
  return hosts;
}
