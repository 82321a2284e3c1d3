import type { DecisionRecord, ToolCallOutcome } from '../guard/types.ts';
import type { AgentRunResult, TimelineEntry } from '../workflows/agent/run-types.ts';

/** Minimal terminal styling; plain text when the output is not a terminal. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const colors: Style = {
  bold: ansi(1),
  dim: ansi(2),
  green: ansi(32),
  red: ansi(31),
  yellow: ansi(33),
};
export const plain: Style = { bold: String, dim: String, green: String, red: String, yellow: String };

/** How much of a JSON value (arguments, tool output) a line shows. */
export const JSON_CLIP = 80;
/** How much of a sentence (a model message, a reason) a line shows. */
export const TEXT_CLIP = 140;

/** One line of at most `max` characters, with an ellipsis when something was cut. */
export function clip(text: string, max = TEXT_CLIP): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** A JSON value clipped like every other JSON in the report. */
export function clipJson(value: unknown): string {
  return clip(JSON.stringify(value) ?? String(value), JSON_CLIP);
}

/** `crm__issue_refund` back to `crm.issue_refund`, for people. */
function toolLabel(modelName: string): string {
  return modelName.replace(/__/g, '.');
}

function shortVersion(version: string): string {
  return version.replace(/^sha256:/, '').slice(0, 12);
}

function decisionDetail(decision: DecisionRecord, style: Style): string {
  const parts: string[] = [];
  parts.push(
    decision.validation.ok
      ? 'arguments valid'
      : style.red(`invalid: ${decision.validation.errors.join('; ')}`),
  );
  const authz = decision.authorization;
  if (authz) {
    const verdict = !authz.allowed
      ? style.red('policy: deny')
      : authz.unattended
        ? 'policy: allow, unattended'
        : style.yellow('policy: allow, needs approval');
    parts.push(`${verdict} (${authz.engine} ${shortVersion(authz.policyVersion)})`);
    for (const r of authz.records ?? []) {
      parts.push(
        r.allowed ? `record: ${r.action} ${r.resource.type}:${r.resource.id} allowed` : style.red(r.reason),
      );
    }
  }
  const filtered = decision.filtered;
  if (filtered) {
    const text = `results: ${filtered.removed} of ${filtered.checked} ${filtered.resourceType} records removed (not readable for the user or the agent)`;
    parts.push(filtered.removed > 0 ? style.yellow(text) : text);
  }
  if (decision.intent) {
    const { verdict, reasons } = decision.intent;
    const text = reasons.length > 0 ? `intent: ${verdict}: ${reasons.join('; ')}` : `intent: ${verdict}`;
    parts.push(verdict === 'allow' ? text : verdict === 'deny' ? style.red(text) : style.yellow(text));
  }
  return parts.join(' · ');
}

function outcomeLine(outcome: ToolCallOutcome, style: Style): string {
  const name = style.bold(outcome.tool);
  if (outcome.status === 'executed') {
    const output = outcome.output === undefined ? '' : style.dim(` → ${clipJson(outcome.output)}`);
    return `${style.green('✓')} ${name} ${outcome.reason}${output}`;
  }
  return `${style.red('✗')} ${name} ${style.red(outcome.status)}: ${clip(outcome.reason)}`;
}

function entryLines(entry: TimelineEntry, style: Style): string[] {
  switch (entry.kind) {
    case 'model': {
      const head = style.dim(`turn ${String(entry.turn).padStart(2)} `);
      const lines: string[] = [];
      if (entry.message) lines.push(`${head} model says: “${clip(entry.message)}”`);
      for (const call of entry.calls) {
        const prefix = lines.length === 0 ? head : ' '.repeat(8);
        lines.push(
          `${prefix} model calls ${toolLabel(call.name)} ${style.dim(clip(call.arguments, JSON_CLIP))}`,
        );
      }
      return lines;
    }
    case 'tool': {
      const lines = [`${' '.repeat(10)}${outcomeLine(entry.outcome, style)}`];
      const decision = entry.decision;
      if (decision) {
        lines.push(`${' '.repeat(12)}${style.dim('guard:')} ${decisionDetail(decision, style)}`);
        const approvals = decision.approval?.approvals ?? [];
        for (const a of approvals) {
          lines.push(
            `${' '.repeat(12)}${style.dim('approval:')} ${a.decision === 'approve' ? style.green('approved') : style.red('rejected')} by ${a.approver} (${a.authentication})${a.reason ? `: “${clip(a.reason)}”` : ''}`,
          );
        }
      }
      return lines;
    }
    case 'unknown_tool':
      return [
        `${' '.repeat(10)}${style.red('✗')} ${style.bold(toolLabel(entry.name))} ${style.red('unknown tool')}: nothing executed`,
      ];
    case 'handoff':
      // A refused handoff was simply never offered to the model; only a granted one is worth a line.
      return entry.allowed
        ? [`${' '.repeat(10)}→ handoff ${entry.from} → ${entry.to} allowed: ${entry.reason}`]
        : [];
    case 'continued':
      return [style.dim(`${' '.repeat(10)}… continued as a new execution after ${entry.turns} turns`)];
  }
}

/** A run as a newcomer reads it: what the model asked, what the guard decided and why, how it ended. */
export function formatRun(result: AgentRunResult, style: Style = plain): string[] {
  const lines = result.timeline.flatMap((entry) => entryLines(entry, style));
  const status =
    result.status === 'completed'
      ? style.green('completed')
      : style.yellow(`${result.status}${result.reason ? ` (${result.reason})` : ''}`);
  const continued = result.executions > 1 ? `, ${result.executions} executions` : '';
  lines.push(
    `${style.bold('outcome:')} ${status} in ${result.turns} model turns, ${result.tokens} tokens${continued}`,
  );
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * One line on how a run ended: its status, what executed, what was refused and how, who approved.
 * E.g. `completed; 1 call executed, 1 refused (crm.export_customers denied)`.
 */
export function outcomeSummary(result: AgentRunResult): string {
  const tools = result.timeline.filter(
    (e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool',
  );
  const refused = [
    ...tools
      .filter((t) => t.outcome.status !== 'executed' && t.outcome.status !== 'failed')
      .map((t) => `${t.outcome.tool} ${t.outcome.status}`),
    ...result.timeline.flatMap((e) => (e.kind === 'unknown_tool' ? [`${toolLabel(e.name)} unknown`] : [])),
  ];
  const failed = tools.filter((t) => t.outcome.status === 'failed').length;
  const approvers = tools.flatMap((t) =>
    (t.decision?.approval?.approvals ?? [])
      .filter((a) => a.decision === 'approve')
      .map((a) => `${t.outcome.tool} approved by ${a.approver} (${a.authentication})`),
  );
  const executed = tools.filter((t) => t.outcome.status === 'executed').length;
  const parts = [`${plural(executed, 'call')} executed`];
  if (refused.length > 0) parts.push(`${refused.length} refused (${refused.join(', ')})`);
  if (failed > 0) parts.push(`${failed} failed`);
  parts.push(...approvers);
  const status = result.reason ? `${result.status} (${clip(result.reason, 60)})` : result.status;
  return `${status}; ${parts.join(', ')}`;
}
