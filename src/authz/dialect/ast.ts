/** The subset of Oso Cloud Polar that both backends evaluate identically. */

export interface Loc {
  file: string;
  line: number;
  column: number;
}

export type Term =
  | { kind: 'var'; name: string; loc: Loc }
  | { kind: 'string'; value: string; loc: Loc }
  | { kind: 'integer'; value: number; loc: Loc }
  | { kind: 'boolean'; value: boolean; loc: Loc }
  /** `User{"alice"}` */
  | { kind: 'entity'; type: string; id: string; loc: Loc };

export interface Call {
  kind: 'call';
  name: string;
  args: Term[];
  loc: Loc;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | Call
  | { kind: 'compare'; op: CompareOp; left: Term; right: Term; loc: Loc }
  | { kind: 'and'; items: Expr[]; loc: Loc }
  | { kind: 'or'; items: Expr[]; loc: Loc }
  | { kind: 'not'; item: Expr; loc: Loc };

export interface Param {
  term: Term;
  /** `x: Tool` — a type name (entity type, `Actor`, `Resource`, `String`, `Integer`, `Boolean`). */
  type?: string;
}

export interface Rule {
  kind: 'rule';
  name: string;
  params: Param[];
  body?: Expr;
  loc: Loc;
}

export type ShorthandBody =
  | { kind: 'local'; name: string; loc: Loc }
  | { kind: 'on'; name: string; relation: string; loc: Loc }
  | { kind: 'global'; name: string; loc: Loc };

export interface Shorthand {
  head: string;
  body: ShorthandBody;
  loc: Loc;
}

export interface Block {
  kind: 'block';
  keyword: 'actor' | 'resource' | 'global';
  /** `global` for the global block. */
  type: string;
  permissions: string[];
  roles: string[];
  relations: Map<string, string>;
  shorthands: Shorthand[];
  loc: Loc;
}

export interface TestBlock {
  kind: 'test';
  name: string;
  setup: Call[];
  asserts: Array<{ expect: boolean; call: Call; loc: Loc }>;
  loc: Loc;
}

export type Item = Rule | Block | TestBlock;

export interface PolicyFile {
  file: string;
  items: Item[];
}
