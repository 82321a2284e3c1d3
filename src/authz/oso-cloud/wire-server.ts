import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildModel, checkFact, type PolicyModel, usableContext } from '../dialect/model.ts';
import { EmbeddedAuthorizer } from '../embedded/authorizer.ts';
import { matchesPattern } from '../facts.ts';
import { runPolicyTests } from '../policy-tests/runner.ts';
import type { Fact, FactArg, FactPattern } from '../types.ts';
import { fromWire, toWire } from '../values.ts';

type WireValue = { type?: string | null; id?: string | null };
type WireFact = { predicate: string; args: WireValue[] };

export interface WireServer {
  url: string;
  apiKey: string;
  /** Paths of the requests received, in order (`POST /api/authorize`). */
  requests: string[];
  /** The next `times` requests answer HTTP `status`. */
  failNext(status: number, times?: number): void;
  /** The next `times` requests to `route` (`POST /api/batch`) answer HTTP `status`; others pass. */
  failRoute(route: string, status: number, times?: number): void;
  /** The next `times` requests never answer. */
  hangNext(times?: number): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local stand-in for Oso Cloud that speaks its HTTP API for the calls Warden makes (authorize,
 * actions, list, batch, facts, policy), answering with the embedded engine. It lets tests drive the real
 * oso-cloud SDK code path offline, and inject failures.
 */
export async function startWireServer(options: { apiKey?: string; port?: number } = {}): Promise<WireServer> {
  const apiKey = options.apiKey ?? 'e_0123456789_12345_osotesttoken01xiIn';
  let model: PolicyModel | undefined;
  let engine: EmbeddedAuthorizer | undefined;
  let failures: Array<{ status: number } | 'hang'> = [];
  let routeFailures: Array<{ route: string; status: number }> = [];
  const requests: string[] = [];
  const hung = new Set<ServerResponse>();

  const current = () => {
    if (engine === undefined || model === undefined) throw new HttpError(400, 'no policy loaded');
    return { engine, model };
  };
  const value = (v: WireValue): FactArg => {
    try {
      return fromWire(v);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
  };
  const toFact = (f: WireFact): Fact => [f.predicate, ...f.args.map(value)];
  const toPattern = (f: WireFact): FactPattern => [
    f.predicate,
    ...f.args.map((a) => (a.type == null ? null : a.id == null ? { type: a.type, id: '' } : value(a))),
  ];
  const checked = (facts: Fact[], m: PolicyModel) => {
    for (const f of facts) {
      try {
        checkFact(m, f);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
    }
    return facts;
  };
  // Context facts of predicates the policy never uses are accepted and match nothing (Oso Cloud).
  const contextOf = (facts: Fact[], m: PolicyModel) => {
    try {
      return usableContext(m, facts);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
  };

  async function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
  ): Promise<unknown> {
    if (method === 'POST' && path === '/api/policy') {
      const { src, filename } = body as { src: string; filename?: string };
      let next: PolicyModel;
      try {
        next = buildModel([{ file: filename || 'policy.polar', text: src }]);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      const report = await runPolicyTests(next);
      if (report.failed > 0) throw new HttpError(400, `policy tests failed: ${report.failed}`);
      const keep = (engine?.storedFacts() ?? []).filter((f) => {
        try {
          checkFact(next, f);
          return true;
        } catch {
          return false;
        }
      });
      const previous = engine;
      engine = await EmbeddedAuthorizer.create(next, keep, { cacheSize: 0 });
      model = next;
      await previous?.close();
      return { message: 'Policy updated' };
    }
    const { engine: e, model: m } = current();
    if (method === 'POST' && path === '/api/authorize') {
      const b = body as {
        actor_type: string;
        actor_id: string;
        action: string;
        resource_type: string;
        resource_id: string;
        context_facts?: WireFact[];
      };
      const ctx = contextOf((b.context_facts ?? []).map(toFact), m);
      const actor = value({ type: b.actor_type, id: b.actor_id });
      const resource = value({ type: b.resource_type, id: b.resource_id });
      return { allowed: await e.holds('allow', [actor, b.action, resource], ctx) };
    }
    if (method === 'POST' && path === '/api/list') {
      // Oso Cloud lists the resources its facts name; so does this stand-in, one page for all.
      const b = body as {
        actor_type: string;
        actor_id: string;
        action: string;
        resource_type: string;
        context_facts?: WireFact[];
        page_size?: number;
      };
      const ctx = contextOf((b.context_facts ?? []).map(toFact), m);
      const actor = value({ type: b.actor_type, id: b.actor_id });
      const results: string[] = [];
      for (const resource of await e.knownValues(b.resource_type))
        if (await e.holds('allow', [actor, b.action, resource], ctx)) results.push(resource.id);
      return { results };
    }
    if (method === 'POST' && path === '/api/actions') {
      const b = body as {
        actor_type: string;
        actor_id: string;
        resource_type: string;
        resource_id: string;
        context_facts?: WireFact[];
      };
      const ctx = contextOf((b.context_facts ?? []).map(toFact), m);
      const actor = value({ type: b.actor_type, id: b.actor_id });
      const resource = value({ type: b.resource_type, id: b.resource_id });
      const results: string[] = [];
      for (const action of m.strings)
        if (await e.holds('allow', [actor, action, resource], ctx)) results.push(action);
      return { results };
    }
    if (method === 'POST' && path === '/api/batch') {
      // Validate the whole batch first: a batch is atomic.
      const changes = body as Array<{ inserts?: WireFact[]; deletes?: WireFact[] }>;
      for (const c of changes) checked((c.inserts ?? []).map(toFact), m);
      for (const c of changes) {
        if (c.deletes) await e.deleteFacts(c.deletes.map(toPattern));
        if (c.inserts) await e.insertFacts(c.inserts.map(toFact));
      }
      return {};
    }
    if (method === 'GET' && path === '/api/facts') {
      const predicate = query.get('predicate') ?? '';
      const args: Array<FactArg | null> = [];
      for (let i = 0; query.has(`args.${i}.type`) || query.has(`args.${i}.id`); i++) {
        const type = query.get(`args.${i}.type`);
        const id = query.get(`args.${i}.id`);
        args[i] = type === null ? null : id === null ? { type, id: '' } : value({ type, id });
      }
      return e
        .storedFacts()
        .filter((f) => f[0] === predicate)
        .filter((f) =>
          matchesPattern(f, [predicate, ...args, ...Array(f.length - 1 - args.length).fill(null)]),
        )
        .map(([predicate, ...rest]) => ({ predicate, args: rest.map(toWire) }));
    }
    if (method === 'GET' && path === '/api/policy_metadata') {
      return { metadata: { resources: Object.fromEntries([...m.resources.keys()].map((k) => [k, {}])) } };
    }
    throw new HttpError(404, `${method} ${path} is not implemented by the test endpoint`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-request-id': `test-${requests.length}`,
        });
        res.end(JSON.stringify(payload));
      };
      const routed = routeFailures.findIndex((f) => f.route === `${req.method} ${url.pathname}`);
      const injected = routed >= 0 ? routeFailures.splice(routed, 1)[0] : failures.shift();
      if (injected === 'hang') {
        hung.add(res);
        return;
      }
      if (injected !== undefined)
        return send(injected.status, { message: `injected HTTP ${injected.status}` });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { message: 'invalid API key' });
      let body: unknown = null;
      try {
        if (chunks.length > 0) body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { message: 'malformed JSON body' });
      }
      handle(req.method ?? 'GET', url.pathname, url.searchParams, body).then(
        (payload) => send(200, payload),
        (error: unknown) =>
          send(error instanceof HttpError ? error.status : 500, { message: (error as Error).message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    failNext(status, times = 1) {
      failures = [...failures, ...Array.from({ length: times }, () => ({ status }))];
    },
    failRoute(route, status, times = 1) {
      routeFailures = [...routeFailures, ...Array.from({ length: times }, () => ({ route, status }))];
    },
    hangNext(times = 1) {
      failures = [...failures, ...Array.from({ length: times }, () => 'hang' as const)];
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine?.close();
    },
  };
}
