import { describe, expect, it } from 'vitest';
import { UNTRACED_WORKFLOW_CODE, workflowBundle } from '../../../src/workers/workflow-bundle.ts';
import { EXAMPLE_WORKFLOWS } from '../../support/example.ts';

describe("the workers' workflow bundle", () => {
  it('preloads the shared signature library once per worker; webpack keeps it in the preload', async () => {
    const { code } = await workflowBundle(EXAMPLE_WORKFLOWS, UNTRACED_WORKFLOW_CODE);
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    // Libraries that declare no side effects are dropped from a bare preload: it must name our module.
    expect(preload).toMatch(/__webpack_require__\([^)]*"\.\/src\/workers\/sandbox-shared\.ts"\)/);
    expect(code).toContain('@noble/curves/ed25519.js');
    // Bundled once per process: every worker of the process shares it.
    expect(await workflowBundle(EXAMPLE_WORKFLOWS, UNTRACED_WORKFLOW_CODE)).toMatchObject({ code });
  });

  it("maps its code to the sources by name and line but carries none of the sources' text", async () => {
    const { code } = await workflowBundle(EXAMPLE_WORKFLOWS, UNTRACED_WORKFLOW_CODE);
    const inline = /\/\/# sourceMappingURL=data:application\/json;[^,]*base64,([A-Za-z0-9+/=]+)\s*$/.exec(
      code,
    )?.[1];
    expect(inline).toBeDefined();
    const map = JSON.parse(Buffer.from(inline ?? '', 'base64').toString('utf8'));
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringContaining('src/workflows/tool-plan.ts')]),
    );
    expect(map.mappings.length).toBeGreaterThan(0);
    // The text of every module would double what each workflow thread holds of the bundle.
    expect(map.sourcesContent).toBeUndefined();
  });
});
