import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ENTRY_POINTS = new Set(['warden', 'warden/workflow', 'warden/testing']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(file).isDirectory()) return filesUnder(file);
    return /\.(ts|js|mjs)$/.test(name) ? [file] : [];
  });
}

/** Every module a file imports (static, dynamic and re-exports), as written. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** The modules a file loads at run time: type-only imports and exports are erased by the compiler. */
function runtimeImportsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          named !== undefined &&
          ts.isNamedImports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) found.push(statement.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      const named = statement.exportClause;
      const onlyTypes =
        statement.isTypeOnly ||
        (named !== undefined && ts.isNamedExports(named) && named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

const relative = (file: string) => path.relative(ROOT, file);
const resolveFrom = (file: string, specifier: string) => path.resolve(path.dirname(file), specifier);

describe('the core and its examples', () => {
  it('nothing outside examples/ and test/ imports an example', () => {
    const core = ['src', 'bin', 'scripts'].flatMap((dir) => filesUnder(path.join(ROOT, dir)));
    expect(core.length).toBeGreaterThan(100);
    const offending = core.flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) =>
            spec.includes('examples/') ||
            (spec.startsWith('.') && resolveFrom(file, spec).startsWith(path.join(ROOT, 'examples'))),
        )
        .map((spec) => `${relative(file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('an example uses Warden only through its public entry points', () => {
    const examples = path.join(ROOT, 'examples');
    const offending: string[] = [];
    for (const example of readdirSync(examples)) {
      const home = path.join(examples, example);
      for (const file of filesUnder(home)) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.')) {
            if (!resolveFrom(file, spec).startsWith(`${home}${path.sep}`))
              offending.push(`${relative(file)} reaches outside its example: ${spec}`);
          } else if ((spec === 'warden' || spec.startsWith('warden/')) && !ENTRY_POINTS.has(spec)) {
            offending.push(`${relative(file)} imports a private module: ${spec}`);
          }
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('warden/workflow pulls in no Node API and no host-only package (it bundles into the sandbox)', () => {
    const hostOnly =
      /^(node:|fs$|path$|crypto$|@temporalio\/(client|worker|testing)|fastify|@fastify\/|openai|@openai\/agents-openai|oso|oso-cloud|tsx|commander|yaml)/;
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of runtimeImportsOf(file)) {
        if (spec.startsWith('.')) visit(resolveFrom(file, spec));
        else if (hostOnly.test(spec)) offending.push(`${relative(file)} imports ${spec}`);
      }
    };
    visit(path.join(ROOT, 'src/workflow.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });

  it('the package exports exactly the three entry points, each with types and built JavaScript', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string> | string>;
      files: string[];
      engines: { node: string };
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', './testing', './workflow']);
    for (const entry of ['.', './workflow', './testing']) {
      const target = pkg.exports[entry] as Record<string, string>;
      expect(target.default).toMatch(/^\.\/dist\/.*\.js$/);
      expect(target.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
    }
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'bin', 'LICENSE']));
    expect(pkg.engines.node).toBe('>=22');
  });
});
