import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseScenario, type Scenario, ScenarioError } from './scenario.ts';

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Reads and validates `<dir>/<name>.yaml`; the file's `name` must match its file name. */
export function loadScenario(name: string, dir: string): Scenario {
  if (!NAME.test(name)) throw new ScenarioError(`invalid scenario name "${name}"`);
  const file = path.join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ScenarioError(`unknown scenario "${name}" (no ${file})`);
  }
  const scenario = parseScenario(parse(text), file);
  if (scenario.name !== name)
    throw new ScenarioError(`${file}: name is "${scenario.name}", expected "${name}"`);
  return scenario;
}

/** Every scenario in the directory, sorted by name. */
export function listScenarios(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => loadScenario(file.slice(0, -'.yaml'.length), dir));
}
