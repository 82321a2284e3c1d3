import type { JudgeBackend, JudgeQuestion } from '../../judge/judge-backend.ts';
import type {
  ScriptedJudgeAnswer,
  ScriptedJudgeRule,
  ScriptedJudgeScript,
} from '../../judge/judge-config.ts';

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) strings(item, out);
  return out;
}

function matches(rule: ScriptedJudgeRule, question: JudgeQuestion): boolean {
  if (rule.tool !== undefined && rule.tool !== question.input.tool) return false;
  if (rule.argumentContains !== undefined) {
    const needle = rule.argumentContains.toLowerCase();
    if (!strings(question.input.arguments).some((s) => s.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * The offline judge: its rules (first match answers), then its script in order, then `otherwise`.
 * It reads the call's structured input, never the prompt's text, so nothing a call writes can talk
 * it into an answer; a step can play a provider's failure (raw text, an error, no answer at all).
 */
export class ScriptedJudge implements JudgeBackend {
  readonly model = 'scripted';
  private step = 0;

  constructor(private readonly script: ScriptedJudgeScript) {}

  async ask(question: JudgeQuestion, signal: AbortSignal): Promise<string> {
    const rule = this.script.rules.find((r) => matches(r, question));
    const answer: ScriptedJudgeAnswer =
      rule?.answer ?? this.script.script[this.step++] ?? this.script.otherwise;
    if ('raw' in answer) return answer.raw;
    if ('fail' in answer) throw new Error(answer.fail);
    if ('hang' in answer) {
      return new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return JSON.stringify({ verdict: answer.verdict, reason: answer.reason });
  }
}
