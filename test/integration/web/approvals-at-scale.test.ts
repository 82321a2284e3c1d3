import http from 'node:http';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { pendingRunsQuery } from '../../../src/approvals/list-pending.ts';
import { InvalidCursorError, ListingCursors } from '../../../src/approvals/listing-cursor.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import { createApprovalsServer } from '../../../src/web/approvals-server.ts';
import { ApprovalVisibility } from '../../../src/web/need-to-know.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { exampleProject } from '../../support/example.ts';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import {
  type GuardWorkers,
  guardTestConfig,
  startGuardWorkers,
  startPlan,
  TEST_SECRET,
} from '../guard/harness.ts';
import { useTestServerEnv, warden } from '../ops/cli-harness.ts';

const RUNS = 30;
const PAGE = 10;
const CAROL = 'carol-4e7b1d9a3c6f2085b9e4a1d7c3f6b2e9';
const BOB = 'bob-0f6c2e9a71d4b8305e9c1a7f3d6b2e84';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  url: string,
  options: { method?: string; cookie?: string; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const cookiesOf = (answer: Answer) => (answer.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '');

/** Signs in as a browser does; the session cookie. */
async function signIn(baseUrl: string, token: string): Promise<string> {
  const form = await send(baseUrl);
  const cookie = cookiesOf(form).find((c) => c.includes('warden_signin=')) ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const done = await send(`${baseUrl}/login`, {
    method: 'POST',
    cookie,
    body: `csrf=${csrf}&token=${encodeURIComponent(token)}`,
  });
  const session = cookiesOf(done).find((c) => c.includes('warden_session=')) ?? '';
  expect(session).not.toBe('');
  return session;
}

const cardRuns = (body: string) =>
  [...body.matchAll(/section class="card pending" data-run="([^"]+)"/g)].map((m) => m[1]);
const moreLink = (body: string) => /id="more" href="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');

describe('the pending listing at scale: 30 paused runs, pages of 10', () => {
  const taskQueue = uniqueTaskQueue('approvals-at-scale');
  const filter = `TaskQueue = "${taskQueue}"`;
  /** Every workflow query and describe the listing client makes, by workflow id. */
  const queried: string[] = [];
  const described: string[] = [];
  let client: Client;
  let workers: GuardWorkers;
  let backend: TemporalApprovalsBackend;
  let server: FastifyInstance;
  let baseUrl: string;
  const started: string[] = [];

  beforeAll(async () => {
    const counting: WorkflowClientInterceptor = {
      async query(input, next) {
        queried.push(input.workflowExecution.workflowId);
        return next(input);
      },
      async describe(input, next) {
        described.push(input.workflowExecution.workflowId);
        return next(input);
      },
    };
    const config = guardTestConfig();
    client = new Client({
      connection: await Connection.connect({ address: testServer().address }),
      namespace: testServer().namespace,
      dataConverter: await wardenDataConverter(config),
      interceptors: { workflow: [counting] },
    });
    useTestServerEnv({ WARDEN_APPROVAL_SECRET: TEST_SECRET, WARDEN_MODE: 'development' });
    workers = await startGuardWorkers(taskQueue);
    const policy = { authorizer: workers.deps.authorizer, tools: workers.deps.tools };
    backend = new TemporalApprovalsBackend(client, config, policy, 10, { pageSize: PAGE, filter });
    server = await createApprovalsServer({
      authenticator: new ApproverAuthenticator('production', `${CAROL}=User:carol,${BOB}=User:bob`),
      backend,
      visibility: new ApprovalVisibility(workers.deps.authorizer, (await exampleProject()).tools),
      listingsPerMinute: 3,
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    for (let i = 0; i < RUNS; i += 1) {
      const handle = await startPlan(client, taskQueue, {
        calls: [
          {
            tool: 'crm.issue_refund',
            callId: 'refund',
            arguments: { customerId: 'c-1001', amount: 180, currency: 'EUR', reason: `case ${i}` },
          },
        ],
      });
      started.push(handle.workflowId);
    }
    // Visibility is eventually consistent: every run paused and indexed before the listing is read.
    await eventually(async () => {
      const { count } = await client.workflow.count(pendingRunsQuery(filter));
      return count === RUNS ? count : undefined;
    }, 120_000);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all(
      started.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => {}),
      ),
    );
    await workers?.close();
    await client?.connection.close();
  });

  it('one page reads 10 runs from their memos (no query, no describe); the cursor gives the next ones; all 30 once', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 3; page += 1) {
      const queriesBefore = queried.length;
      const describesBefore = described.length;
      const listing = await backend.listPending(after === undefined ? {} : { after });
      expect(listing.runs).toBe(PAGE);
      expect(listing.items).toHaveLength(PAGE);
      // Each call kept only what its zone's worker signed: the verified check ran for every call shown.
      expect(listing.items.every((item) => item.decisionCheck?.verified === true)).toBe(true);
      // Each run lists its waiting calls in its memo, which the visibility listing returns.
      expect(queried.length - queriesBefore).toBe(0);
      expect(described.length - describesBefore).toBe(0);
      seen.push(...listing.items.map((item) => item.workflowId));
      after = listing.next;
      if (page < 2) expect(after).toBeDefined();
    }
    expect(new Set(seen).size).toBe(RUNS);
    expect([...seen].sort()).toEqual([...started].sort());
    // Visibility may still offer a token after the last run: that page is empty, not a repeat.
    if (after !== undefined) {
      const rest = await backend.listPending({ after });
      expect(rest.items).toEqual([]);
    }
  });

  it('a crafted, edited or foreign cursor is refused before anything is read', async () => {
    const { next } = await backend.listPending();
    if (next === undefined) throw new Error('a first page of 10 of 30 runs has a next page');
    const [body = '', mac = ''] = next.split('.');
    const edited = `${body.slice(0, -2)}${body.endsWith('AA') ? 'BB' : 'AA'}.${mac}`;
    // The same page token, MACed by another process's key (another approvals service).
    const foreign = new ListingCursors().issue(
      new Uint8Array(Buffer.from(body, 'base64url')),
      pendingRunsQuery(filter),
    );
    // A genuine cursor of this service, for another listing (no task-queue filter).
    const otherListing = new TemporalApprovalsBackend(client, guardTestConfig(), {
      authorizer: workers.deps.authorizer,
      tools: workers.deps.tools,
    });
    const unfiltered = (await otherListing.listPending({ limit: 1 })).next;
    if (unfiltered !== undefined)
      await expect(otherListing.listPending({ after: unfiltered, limit: 1 })).resolves.toBeDefined();
    const queriesBefore = queried.length;
    for (const cursor of ['AAAA', `${body}.`, 'x'.repeat(3000), edited, foreign]) {
      await expect(backend.listPending({ after: cursor })).rejects.toThrow(InvalidCursorError);
    }
    await expect(backend.listPending({ after: edited })).rejects.toThrow(
      'the page cursor was not issued by this approvals service (or it restarted since): start again from the first page',
    );
    await expect(backend.listPending({ after: 'AAAA' })).rejects.toThrow(
      'the page cursor is malformed: start again from the first page',
    );
    if (unfiltered !== undefined) {
      await expect(backend.listPending({ after: unfiltered })).rejects.toThrow(InvalidCursorError);
    }
    expect(queried.length).toBe(queriesBefore);
  });

  it('the page shows 10 calls and a link to the next 10; a crafted cursor gets 400; the budget is per approver', async () => {
    const carol = await signIn(baseUrl, CAROL);
    const first = await send(baseUrl, { cookie: carol });
    expect(first.status).toBe(200);
    const firstRuns = cardRuns(first.body);
    expect(firstRuns).toHaveLength(PAGE);
    const more = moreLink(first.body);
    expect(more).toMatch(/^\/\?after=/);

    const second = await send(`${baseUrl}${more}`, { cookie: carol });
    expect(second.status).toBe(200);
    const secondRuns = cardRuns(second.body);
    expect(secondRuns).toHaveLength(PAGE);
    expect(secondRuns.filter((run) => firstRuns.includes(run))).toEqual([]);
    expect(second.body).toContain('id="first" href="/"');

    const queriesBefore = queried.length;
    const crafted = await send(
      `${baseUrl}/?after=${encodeURIComponent('Zm9yZ2Vk.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')}`,
      {
        cookie: carol,
      },
    );
    expect(crafted.status).toBe(400);
    expect(crafted.body).toContain('the page cursor was not issued by this approvals service');
    expect(cardRuns(crafted.body)).toEqual([]);
    expect(queried.length).toBe(queriesBefore);

    // Three listings a minute for carol (the test's budget), from any session or address.
    const again = await signIn(baseUrl, CAROL);
    const over = await send(baseUrl, { cookie: again });
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.body).toContain('too many page loads for User:carol');
    expect(queried.length).toBe(queriesBefore);
    const call = await send(`${baseUrl}/call?run=${encodeURIComponent(firstRuns[0] ?? '')}&call=refund`, {
      cookie: carol,
    });
    expect(call.status).toBe(429);
    // Another approver has a budget of her own.
    const bob = await signIn(baseUrl, BOB);
    const bobsPage = await send(baseUrl, { cookie: bob });
    expect(bobsPage.status).toBe(200);
    expect(cardRuns(bobsPage.body)).toHaveLength(PAGE);
  });

  it('warden approvals --limit reads that many runs and says there are more', async () => {
    const listed = await warden('approvals', '--limit', '5');
    expect(listed.code).toBe(0);
    expect(listed.stdout.match(/^\S+ {2}call refund {2}crm\.issue_refund/gm)).toHaveLength(5);
    expect(listed.stdout).toContain('5 pending; decide with');
    expect(listed.stderr).toContain(
      'more runs have calls waiting than the 5 read: raise --limit (at most 100)',
    );
    const refused = await warden('approvals', '--limit', '1000');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--limit takes a whole number of runs from 1 to 100, not "1000"');
  });
});
