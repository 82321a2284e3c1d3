import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject, ProjectConfigError } from '../../../src/project/load-project.ts';

const SRC = path.resolve(import.meta.dirname, '../../../src');

/** A project directory whose warden.config.ts has this judge block. */
function project(judge: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-judge-project-'));
  writeFileSync(path.join(dir, 'workflows.ts'), 'export {};\n');
  writeFileSync(
    path.join(dir, 'warden.config.ts'),
    [
      `import { agentCatalog } from '${SRC}/agents/define-agent.ts';`,
      `import { defineConfig } from '${SRC}/project/define-config.ts';`,
      `export default defineConfig({ agents: agentCatalog([]), workflows: './workflows.ts', judge: ${judge} });`,
    ].join('\n'),
  );
  return dir;
}

describe("the project's judge block", () => {
  it('is carried to the workers as written', async () => {
    const loaded = await loadProject({ config: project("{ model: 'scripted', timeout: '3 seconds' }") });
    expect(loaded.judge).toEqual({ model: 'scripted', timeout: '3 seconds' });
  });

  it('is checked when the project loads, naming the file and the field', async () => {
    const dir = project("{ model: 'gpt-4.1-mini', timeout: '5 minutes' }");
    await expect(loadProject({ config: dir })).rejects.toThrow(ProjectConfigError);
    await expect(loadProject({ config: dir })).rejects.toThrow(/warden\.config\.ts: judge\.timeout/);
  });
});
