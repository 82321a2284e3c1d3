import type { Call } from '../dialect/ast.ts';
import { where } from '../dialect/lexer.ts';
import { checkFact, type PolicyModel } from '../dialect/model.ts';
import { describeTerm } from '../dialect/parser.ts';
import { PolarEngine } from '../embedded/engine.ts';
import { termValue } from '../embedded/translate.ts';
import { FactSet } from '../facts.ts';
import { type Fact, PolicyError } from '../types.ts';

export interface AssertionResult {
  test: string;
  /** `assert allow(Agent{"support-bot"}, "invoke", Tool{"x"})` */
  assertion: string;
  location: string;
  passed: boolean;
  error?: string;
}

export interface PolicyTestReport {
  results: AssertionResult[];
  passed: number;
  failed: number;
}

export function describeCall(c: Call): string {
  return `${c.name}(${c.args.map(describeTerm).join(', ')})`;
}

/**
 * Runs the Oso Cloud `test` blocks of a policy on the embedded engine. Each block sees only its own
 * `setup` facts, as in Oso Cloud; setup facts may include what would be context facts at run time.
 */
export async function runPolicyTests(model: PolicyModel): Promise<PolicyTestReport> {
  const results: AssertionResult[] = [];
  for (const test of model.tests) {
    const facts: Fact[] = test.setup.map((c) => {
      const fact: Fact = [c.name, ...c.args.map(termValue)];
      try {
        checkFact(model, fact);
      } catch (error) {
        throw new PolicyError(`${where(c.loc)}: test "${test.name}": ${(error as Error).message}`);
      }
      return fact;
    });
    const engine = await PolarEngine.create(model, new FactSet(facts));
    try {
      for (const a of test.asserts) {
        const assertion = `${a.expect ? 'assert' : 'assert_not'} ${describeCall(a.call)}`;
        const base = { test: test.name, assertion, location: where(a.loc) };
        try {
          const holds = await engine.holds(a.call.name, a.call.args.map(termValue), []);
          results.push({ ...base, passed: holds === a.expect });
        } catch (error) {
          results.push({ ...base, passed: false, error: (error as Error).message.split('\n')[0] ?? 'error' });
        }
      }
    } finally {
      engine.free();
    }
  }
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed };
}
