import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildModel, type PolicyModel, type PolicySource } from './dialect/model.ts';
import { loadFactsFile } from './facts.ts';
import { runPolicyTests } from './policy-tests/runner.ts';
import { type Fact, PolicyError } from './types.ts';

export const FACTS_FILE = 'facts.yaml';

export interface LoadedPolicy {
  dir: string;
  model: PolicyModel;
  facts: Fact[];
  factsFile?: string;
}

/** Every `.polar` file in `dir` (sorted, one policy) and, if present, `facts.yaml`. All or nothing. */
export async function loadPolicyDir(dir: string): Promise<LoadedPolicy> {
  const sources = await readPolicySources(dir);
  const model = buildModel(sources);
  const factsFile = path.join(dir, FACTS_FILE);
  if (!existsSync(factsFile)) return { dir, model, facts: [] };
  return { dir, model, facts: await loadFactsFile(factsFile, model), factsFile };
}

/**
 * `loadPolicyDir` for a running PDP: every failure is a `PolicyError` that names the directory, and
 * a policy whose own `test` blocks fail is refused, so a reload never switches to it.
 */
export async function loadPolicyForReload(dir: string): Promise<LoadedPolicy> {
  let loaded: LoadedPolicy;
  try {
    loaded = await loadPolicyDir(dir);
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new PolicyError(`cannot load policy directory ${dir}: ${(error as Error).message}`);
  }
  const report = await runPolicyTests(loaded.model);
  if (report.failed > 0) {
    const failed = report.results
      .filter((r) => !r.passed)
      .map((r) => `${r.location}: test "${r.test}": ${r.assertion}${r.error ? ` (${r.error})` : ''}`);
    throw new PolicyError(
      `policy tests failed: ${report.failed} of ${report.results.length} assertions in ${dir}: ${failed.join('; ')}`,
    );
  }
  return loaded;
}

export async function readPolicySources(dir: string): Promise<PolicySource[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.polar')).sort();
  } catch (error) {
    throw new PolicyError(`cannot read policy directory ${dir}: ${(error as Error).message}`);
  }
  if (names.length === 0) throw new PolicyError(`no .polar files in ${dir}`);
  return Promise.all(
    names.map(async (name) => ({
      file: path.join(path.relative(process.cwd(), dir) || '.', name),
      text: await readFile(path.join(dir, name), 'utf8'),
    })),
  );
}

/** The single policy text uploaded to Oso Cloud: the files in order, each under a header comment. */
export function combinedSource(model: PolicyModel): string {
  return model.sources.map((s) => `# --- ${path.basename(s.file)} ---\n${s.text}`).join('\n');
}
