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
});
