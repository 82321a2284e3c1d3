import { clearFacts, policyAccepts, taintFacts } from '../activities/guard/call-provenance.ts';
import type { AgentCatalog } from '../agents/define-agent.ts';
import type { Authorizer, ContextFact, OsoValue } from '../authz/types.ts';
import { jsonDigest } from '../guard/decision-signature.ts';
import type { DecisionRecord } from '../guard/types.ts';
import { decideProvenance, destinationsOf } from '../provenance/decide.ts';
import { whyPerson } from '../provenance/explain.ts';
import { outputLabel, sensitiveKind } from '../provenance/labels.ts';
import { decides, type TracedUnit } from '../provenance/trace.ts';
import type { CallProvenance, ProvenanceSource, TracedValue, ValueOrigin } from '../provenance/types.ts';
import type { ToolDefinition, ToolRegistry } from '../tools/define-tool.ts';
import type { RecordedDecision } from './recorded-decisions.ts';

/** One recorded call's provenance verdict, then and under today's declarations and policy. */
export interface ProvenanceWhatIfRow {
  callId: string;
  tool: string;
  /** How the call ended in the run (`executed`, `rejected`, …). */
  outcome: string;
  recorded: CallProvenance['verdict'] | 'unverified';
  now: CallProvenance['verdict'] | 'unverified';
  /** Why a person would decide now, in words; empty when the verdict is `clear`. */
  why: string[];
  changed: boolean;
  /** The tool is no longer in the project: the call is not re-decided. */
  unknownTool?: boolean;
  /**
   * Why the call is not re-decided: its recorded decision did not verify with the zone's keys (or
   * is not about the call the run recorded), so its provenance may be forged. `recorded` and `now`
   * then say `unverified`.
   */
  unverified?: string;
}

export interface ProvenanceWhatIfReport {
  workflowId: string;
  calls: number;
  changed: number;
  rows: ProvenanceWhatIfRow[];
}

export interface ProvenanceWhatIfProject {
  tools: ToolRegistry;
  agents: AgentCatalog;
  authorizer: Authorizer;
}

/**
 * The provenance a call is re-decided from: the one its zone's worker signed in the history
 * (`decisions`, from recordedDecisions), never the run's own record of it, which workflow code
 * wrote and a poller's made-up answer may have filled. Absent when nothing of the call is to be
 * re-decided (no provenance anywhere).
 */
function signedProvenance(
  record: DecisionRecord,
  checked: RecordedDecision | undefined,
): { provenance: CallProvenance } | { problem: string } | undefined {
  if (checked === undefined) {
    return record.provenance === undefined
      ? undefined
      : { problem: 'no decision of the tool worker is recorded for this call' };
  }
  if (!checked.verified) return { problem: checked.problem };
  if (checked.tool !== record.tool || checked.argumentsDigest !== jsonDigest(record.arguments)) {
    return { problem: "the run's record of the call is not the call the tool worker decided on" };
  }
  if (checked.provenance === undefined) {
    return record.provenance === undefined
      ? undefined
      : { problem: "the tool worker's signed decision carries no provenance" };
  }
  return { provenance: checked.provenance };
}

/** `items[0].iban` → `items[].iban`, the syntax declarations use. */
const declaredPath = (path: string) => path.replace(/\[\d+\]/g, '[]');

/** A recorded source with its trust and confidentiality as the source tool declares them today. */
function relabel(source: ProvenanceSource, tools: ToolRegistry): ProvenanceSource {
  if (source.kind !== 'output') return source;
  const tool = tools.get(source.tool);
  if (tool === undefined) return source;
  const label = outputLabel(tool.provenance?.output, source.field);
  // What an untrusted argument selected stays untrusted under any declaration: that is the run's fact.
  return { ...source, ...label, ...(source.selectedBy !== undefined ? { trust: 'untrusted' } : {}) };
}

function originOf(sources: readonly ProvenanceSource[]): ValueOrigin {
  if (sources.length === 0) return 'unknown';
  return sources.some((s) => s.trust === 'trusted') ? 'trusted' : 'untrusted';
}

/** The recorded values as units of a decision under the tool's declarations today. */
function unitsToday(values: readonly TracedValue[], tool: ToolDefinition, tools: ToolRegistry): TracedUnit[] {
  return values.map((value) => {
    const kind = sensitiveKind(tool.provenance, declaredPath(value.path));
    const sources = value.sources.map((s) => relabel(s, tools));
    return {
      ...value,
      sources,
      origin: originOf(sources),
      confidential: sources.some((s) => s.kind === 'output' && s.confidential),
      ...(kind ? { kind } : {}),
      deciding: decides(kind, value.token),
    };
  });
}

/** Whether a tool's output, as declared today, has an untrusted field anywhere. */
function readsUntrusted(tool: ToolDefinition | undefined): boolean {
  if (tool === undefined) return false;
  const output = tool.provenance?.output;
  return (
    outputLabel(output, '').trust === 'untrusted' ||
    Object.values(output?.fields ?? {}).some((t) => t === 'untrusted')
  );
}

function userOf(user: string | undefined): OsoValue | undefined {
  if (user === undefined) return undefined;
  const at = user.indexOf(':');
  return at > 0 ? { type: user.slice(0, at), id: user.slice(at + 1) } : { type: 'User', id: user };
}

/**
 * Decides the provenance of a past run's calls again, under the project's tool declarations
 * (sensitive arguments, output trust, confidentiality, `onTainted`), its agents' settings and the
 * policy's `accept_tainted` / `accept_confidential`, from what the decision records kept: each
 * traced value's sources. Values the record did not keep (no source, and not deciding when the run
 * was recorded) cannot become tainted here, so an argument declared sensitive since then is judged
 * on its traced values only.
 */
export async function provenanceWhatIf(
  workflowId: string,
  records: readonly DecisionRecord[],
  user: string | undefined,
  project: ProvenanceWhatIfProject,
  /**
   * The run's recorded decisions per call id, checked with the zones' keys (recordedDecisions):
   * each call is then re-decided from the provenance its zone's worker signed, and a call whose
   * decision does not verify is reported `unverified`, not re-decided. Without it (a history with
   * no keys to check it) the run's own records are taken as they are.
   */
  decisions?: ReadonlyMap<string, RecordedDecision>,
): Promise<ProvenanceWhatIfReport> {
  const rows: ProvenanceWhatIfRow[] = [];
  const onBehalfOf = userOf(user);
  let untrustedRead = false;
  for (const record of records) {
    const tool = project.tools.get(record.tool);
    const signed = decisions ? signedProvenance(record, decisions.get(record.callId)) : undefined;
    if (signed !== undefined && 'problem' in signed) {
      rows.push({
        callId: record.callId,
        tool: record.tool,
        outcome: record.outcome,
        recorded: 'unverified',
        now: 'unverified',
        why: [],
        changed: false,
        unverified: signed.problem,
      });
      if (record.outcome === 'executed' && readsUntrusted(tool)) untrustedRead = true;
      continue;
    }
    const recorded = decisions ? signed?.provenance : record.provenance;
    if (recorded !== undefined && tool === undefined) {
      rows.push({
        callId: record.callId,
        tool: record.tool,
        outcome: record.outcome,
        recorded: recorded.verdict,
        now: recorded.verdict,
        why: [],
        changed: false,
        unknownTool: true,
      });
    } else if (recorded !== undefined && tool !== undefined) {
      const agent = record.agent;
      const agents = [...project.agents.values()].filter(
        (a) => agent?.type === 'Agent' && a.identity === agent.id,
      );
      const units = unitsToday(recorded.values, tool, project.tools);
      const input = {
        units,
        request: recorded.request,
        tool,
        agents: agents.map((a) => a.provenance),
        untrustedRead: untrustedRead || recorded.tainted.some((t) => t.unverified === true),
      };
      const first = decideProvenance(input);
      const question =
        agent !== undefined && onBehalfOf !== undefined
          ? { tool, args: record.arguments, agent, onBehalfOf }
          : undefined;
      const ask = async (action: 'accept_tainted' | 'accept_confidential', facts: () => ContextFact[]) => {
        if (question === undefined) return false;
        try {
          return await policyAccepts(
            project,
            question,
            action,
            facts(),
            clearFacts(tool.resource(record.arguments), units),
          );
        } catch {
          // Arguments today's tool cannot take (its schema changed): the policy is not asked.
          return false;
        }
      };
      const decided =
        first.tainted.length === 0 && first.confidential.length === 0
          ? first
          : decideProvenance({
              ...input,
              ...(first.tainted.length > 0
                ? {
                    policyAccepted: await ask('accept_tainted', () =>
                      taintFacts(tool.resource(record.arguments), first.tainted),
                    ),
                  }
                : {}),
              ...(first.confidential.length > 0
                ? {
                    confidentialAccepted: await ask('accept_confidential', () =>
                      destinationsOf(units).map(
                        (d): ContextFact => [
                          'confidential_destination',
                          tool.resource(record.arguments),
                          d.path,
                          d.text,
                        ],
                      ),
                    ),
                  }
                : {}),
            });
      rows.push({
        callId: record.callId,
        tool: record.tool,
        outcome: record.outcome,
        recorded: recorded.verdict,
        now: decided.verdict,
        why: decided.verdict === 'clear' ? [] : whyPerson([], decided),
        changed: decided.verdict !== recorded.verdict,
      });
    }
    if (record.outcome === 'executed' && readsUntrusted(tool)) untrustedRead = true;
  }
  return { workflowId, calls: rows.length, changed: rows.filter((r) => r.changed).length, rows };
}
