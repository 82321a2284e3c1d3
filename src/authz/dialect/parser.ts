import { PolicyError } from '../types.ts';
import type {
  Block,
  Call,
  CompareOp,
  Expr,
  Item,
  Loc,
  Param,
  PolicyFile,
  Rule,
  Term,
  TestBlock,
} from './ast.ts';
import { type Token, tokenize, where } from './lexer.ts';

/**
 * Keywords of Polar (either dialect) outside the subset both backends evaluate identically. Refusing
 * them at load is what keeps the embedded engine and Oso Cloud from silently disagreeing.
 */
const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  in: '`in` (list membership)',
  forall: '`forall`',
  matches: '`matches`',
  isa: '`isa`',
  cut: '`cut`',
  new: '`new`',
  print: '`print`',
  iff: '`iff` assertion',
  declare: '`declare`',
  extends: '`extends`',
  type: '`type` declaration',
  if: '`if` without a rule head',
};

const COMPARE_OPS = new Set(['=', '!=', '<', '<=', '>', '>=', '==']);

export function parsePolicy(source: string, file: string): PolicyFile {
  return new Parser(tokenize(source, file), file).file();
}

/** One ground fact in Polar syntax, e.g. `has_role(User{"alice"}, "user", Toolset{"crm-read"})`. */
export function parseFactText(text: string, file: string): Call {
  const parser = new Parser(tokenize(text.trim().replace(/;$/, ''), file), file);
  return parser.singleCall();
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly fileName: string,
  ) {}

  file(): PolicyFile {
    const items: Item[] = [];
    while (this.peek().kind !== 'eof') items.push(this.item());
    return { file: this.fileName, items };
  }

  singleCall(): Call {
    const call = this.call();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(rest, `unexpected ${rest.text} after the fact`);
    if (call.args.length === 0) this.fail(rest, 'a fact needs at least one argument');
    const v = call.args.find((a) => a.kind === 'var');
    if (v !== undefined) this.fail(rest, `a fact cannot contain a variable (${describeTerm(v)})`);
    return call;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private loc(t: Token): Loc {
    return { file: t.file, line: t.line, column: t.column };
  }
  private fail(t: Token, message: string): never {
    throw new PolicyError(`${where(t)}: ${message}`);
  }
  private unsupported(t: Token): never {
    const name = UNSUPPORTED_KEYWORDS[t.text];
    if (t.kind === 'ident' && name !== undefined) this.fail(t, `unsupported construct: ${name}`);
    if (t.text === '.') this.fail(t, 'unsupported construct: field access (.)');
    if (t.text === '[') this.fail(t, 'unsupported construct: list literal ([ ])');
    this.fail(t, `unexpected ${t.text}`);
  }
  private isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }
  private isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text === text;
  }
  private expectPunct(text: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) {
      if (t.kind === 'punct' && (t.text === '.' || t.text === '[')) this.unsupported(t);
      if (t.kind === 'ident' && UNSUPPORTED_KEYWORDS[t.text] !== undefined) this.unsupported(t);
      this.fail(t, `expected "${text}", found ${t.text}`);
    }
    return t;
  }
  private expectIdent(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, `expected ${what}, found ${t.text}`);
    if (UNSUPPORTED_KEYWORDS[t.text] !== undefined) this.unsupported(t);
    return t;
  }
  private expectString(what: string): Token {
    const t = this.next();
    if (t.kind !== 'string') this.fail(t, `expected ${what} (a string), found ${t.text}`);
    return t;
  }

  private item(): Item {
    const t = this.peek();
    if (
      t.kind === 'ident' &&
      (t.text === 'actor' || t.text === 'resource') &&
      this.peek(1).kind === 'ident'
    ) {
      return this.block();
    }
    if (t.kind === 'ident' && t.text === 'global' && this.isPunct('{', 1)) return this.block();
    if (t.kind === 'ident' && t.text === 'test' && this.peek(1).kind === 'string') return this.test();
    if (t.kind === 'ident') return this.rule();
    return this.unsupported(t);
  }

  private block(): Block {
    const kw = this.next();
    const keyword = kw.text as Block['keyword'];
    const type = keyword === 'global' ? 'global' : this.expectIdent('a type name').text;
    if (keyword !== 'global' && !/^[A-Z]/.test(type))
      this.fail(kw, `type name "${type}" must be capitalized`);
    const block: Block = {
      kind: 'block',
      keyword,
      type,
      permissions: [],
      roles: [],
      relations: new Map(),
      shorthands: [],
      loc: this.loc(kw),
    };
    this.expectPunct('{');
    const seen = new Set<string>();
    while (!this.isPunct('}')) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(t, `unclosed ${keyword} block ${type}`);
      if (t.kind === 'ident' && this.isPunct('=', 1)) {
        this.next();
        this.next();
        if (seen.has(t.text)) this.fail(t, `${t.text} declared twice in ${type}`);
        seen.add(t.text);
        if (t.text === 'permissions' || t.text === 'roles') {
          block[t.text] = this.stringList();
        } else if (t.text === 'relations') {
          block.relations = this.relations();
        } else {
          this.fail(t, `unsupported construct: "${t.text}" declaration in a ${keyword} block`);
        }
        this.expectPunct(';');
        continue;
      }
      if (t.kind === 'string') {
        block.shorthands.push(this.shorthand());
        continue;
      }
      this.fail(t, `unexpected ${t.text} in ${keyword} block ${type}`);
    }
    this.expectPunct('}');
    return block;
  }

  private stringList(): string[] {
    this.expectPunct('[');
    const out: string[] = [];
    while (!this.isPunct(']')) {
      out.push(this.expectString('a name').value);
      if (!this.isPunct(']')) this.expectPunct(',');
    }
    this.expectPunct(']');
    return out;
  }

  private relations(): Map<string, string> {
    this.expectPunct('{');
    const out = new Map<string, string>();
    while (!this.isPunct('}')) {
      const name = this.expectIdent('a relation name');
      this.expectPunct(':');
      const type = this.expectIdent('a type name');
      if (out.has(name.text)) this.fail(name, `relation ${name.text} declared twice`);
      out.set(name.text, type.text);
      if (!this.isPunct('}')) this.expectPunct(',');
    }
    this.expectPunct('}');
    return out;
  }

  private shorthand(): Block['shorthands'][number] {
    const head = this.expectString('a permission or role');
    const ifWord = this.next();
    if (ifWord.kind !== 'ident' || ifWord.text !== 'if') this.fail(ifWord, 'expected "if" in shorthand rule');
    let body: Block['shorthands'][number]['body'];
    if (this.isWord('global')) {
      const g = this.next();
      body = { kind: 'global', name: this.expectString('a global role').value, loc: this.loc(g) };
    } else {
      const name = this.expectString('a permission or role');
      if (this.isWord('on')) {
        this.next();
        const rel = this.peek();
        if (rel.kind !== 'string') {
          this.fail(
            rel,
            'unsupported construct: `on` with a non-string relation (only "relation" is supported)',
          );
        }
        this.next();
        body = { kind: 'on', name: name.value, relation: rel.value, loc: this.loc(name) };
      } else {
        body = { kind: 'local', name: name.value, loc: this.loc(name) };
      }
    }
    const after = this.peek();
    if (after.kind === 'ident' && (after.text === 'and' || after.text === 'or')) {
      this.fail(after, `unsupported construct: "${after.text}" in a shorthand rule`);
    }
    this.expectPunct(';');
    return { head: head.value, body, loc: this.loc(head) };
  }

  private test(): TestBlock {
    const kw = this.next();
    const name = this.expectString('a test name');
    const block: TestBlock = { kind: 'test', name: name.value, setup: [], asserts: [], loc: this.loc(kw) };
    this.expectPunct('{');
    while (!this.isPunct('}')) {
      const t = this.next();
      if (t.kind === 'ident' && t.text === 'setup') {
        this.expectPunct('{');
        while (!this.isPunct('}')) {
          const fact = this.call();
          if (this.isWord('if')) this.unsupported(this.peek());
          block.setup.push(fact);
          this.expectPunct(';');
        }
        this.expectPunct('}');
      } else if (t.kind === 'ident' && (t.text === 'assert' || t.text === 'assert_not')) {
        const call = this.call();
        if (this.isWord('iff')) this.unsupported(this.peek());
        block.asserts.push({ expect: t.text === 'assert', call, loc: this.loc(t) });
        this.expectPunct(';');
      } else if (t.kind === 'ident' && UNSUPPORTED_KEYWORDS[t.text] !== undefined) {
        this.unsupported(t);
      } else {
        this.fail(t, `unexpected ${t.text} in test "${block.name}" (expected setup, assert or assert_not)`);
      }
    }
    this.expectPunct('}');
    return block;
  }

  private rule(): Rule {
    const name = this.expectIdent('a rule name');
    if (!this.isPunct('(')) this.fail(this.peek(), `expected "(" after ${name.text}`);
    this.next();
    const params: Param[] = [];
    while (!this.isPunct(')')) {
      const term = this.term();
      let type: string | undefined;
      if (this.isPunct(':')) {
        this.next();
        type = this.expectIdent('a type name').text;
      }
      params.push(type === undefined ? { term } : { term, type });
      if (!this.isPunct(')')) this.expectPunct(',');
    }
    this.expectPunct(')');
    let body: Expr | undefined;
    if (this.isWord('if')) {
      this.next();
      body = this.orExpr();
    }
    this.expectPunct(';');
    return body === undefined
      ? { kind: 'rule', name: name.text, params, loc: this.loc(name) }
      : { kind: 'rule', name: name.text, params, body, loc: this.loc(name) };
  }

  private orExpr(): Expr {
    const first = this.andExpr();
    if (!this.isWord('or')) return first;
    const items = [first];
    while (this.isWord('or')) {
      this.next();
      items.push(this.andExpr());
    }
    return { kind: 'or', items, loc: first.loc };
  }

  private andExpr(): Expr {
    const first = this.unary();
    if (!this.isWord('and')) return first;
    const items = [first];
    while (this.isWord('and')) {
      this.next();
      items.push(this.unary());
    }
    return { kind: 'and', items, loc: first.loc };
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'ident' && t.text === 'not') {
      this.next();
      return { kind: 'not', item: this.unary(), loc: this.loc(t) };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.orExpr();
      this.expectPunct(')');
      return inner;
    }
    if (t.kind === 'ident' && this.isPunct('(', 1)) return this.call();
    const left = this.term();
    const op = this.next();
    if (op.kind !== 'punct' || !COMPARE_OPS.has(op.text)) {
      if (op.kind === 'ident' && UNSUPPORTED_KEYWORDS[op.text] !== undefined) this.unsupported(op);
      if (op.text === '.' || op.text === '[') this.unsupported(op);
      this.fail(op, `expected a comparison after ${describeTerm(left)}, found ${op.text}`);
    }
    if (op.text === '==') this.fail(op, 'unsupported construct: `==` (use `=`)');
    const right = this.term();
    if (this.isPunct('.') || this.isPunct('[')) this.unsupported(this.peek());
    return { kind: 'compare', op: op.text as CompareOp, left, right, loc: this.loc(op) };
  }

  private call(): Call {
    const name = this.expectIdent('a predicate name');
    this.expectPunct('(');
    const args: Term[] = [];
    while (!this.isPunct(')')) {
      args.push(this.term());
      if (!this.isPunct(')')) this.expectPunct(',');
    }
    this.expectPunct(')');
    return { kind: 'call', name: name.text, args, loc: this.loc(name) };
  }

  private term(): Term {
    const t = this.next();
    const loc = this.loc(t);
    if (t.kind === 'string') return { kind: 'string', value: t.value, loc };
    if (t.kind === 'integer') {
      const value = Number(t.text);
      if (!Number.isSafeInteger(value)) this.fail(t, `integer ${t.text} is out of range`);
      return { kind: 'integer', value, loc };
    }
    if (t.kind === 'ident') {
      if (UNSUPPORTED_KEYWORDS[t.text] !== undefined) this.unsupported(t);
      if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text === 'true', loc };
      if (this.isPunct('{')) {
        this.next();
        const id = this.expectString(`the id of a ${t.text} literal`);
        this.expectPunct('}');
        return { kind: 'entity', type: t.text, id: id.value, loc };
      }
      if (this.isPunct('(')) this.fail(t, `unexpected call ${t.text}(…) where a value is expected`);
      if (this.isPunct('.')) this.unsupported(this.peek());
      return { kind: 'var', name: t.text, loc };
    }
    return this.unsupported(t);
  }
}

export function describeTerm(t: Term): string {
  switch (t.kind) {
    case 'var':
      return t.name;
    case 'string':
      return JSON.stringify(t.value);
    case 'integer':
      return String(t.value);
    case 'boolean':
      return String(t.value);
    case 'entity':
      return `${t.type}{${JSON.stringify(t.id)}}`;
  }
}
