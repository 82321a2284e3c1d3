import { readFile } from 'node:fs/promises';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type proto from '@temporalio/proto';
import { decodeHistoryWithClient } from './decode-history.ts';
import { decodeRunHistory, type RunHistory } from './run-history.ts';

type History = proto.temporal.api.history.v1.IHistory;

export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
}

function isNotFound(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  // fetchHistory surfaces the gRPC NOT_FOUND (code 5) as a ServiceError with the status as its cause.
  const chain = [error, (error as { cause?: unknown } | undefined)?.cause];
  return chain.some((e) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 5);
}

/**
 * The history of a run as the server stores it (payloads still encrypted), by workflow id (latest
 * run) or workflow id + run id.
 */
export async function fetchRunHistory(client: Client, workflowId: string, runId?: string): Promise<History> {
  try {
    return await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    if (isNotFound(error)) throw new RunNotFoundError(`unknown run: no workflow with id "${workflowId}"`);
    throw error;
  }
}

/** The history of a run with its payloads decoded by the client's codecs. */
export async function fetchDecodedHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<History> {
  return decodeHistoryWithClient(client, await fetchRunHistory(client, workflowId, runId), workflowId);
}

/** Longest continue-as-new chain followed back; agent runs continue every few turns. */
const MAX_CHAIN = 50;

/**
 * A run with its whole continue-as-new chain: steps of earlier executions come first, the start
 * time is the first execution's, the status and result are the latest execution's.
 */
export async function loadRun(client: Client, workflowId: string, runId?: string): Promise<RunHistory> {
  const latest = decodeRunHistory(await fetchDecodedHistory(client, workflowId, runId), workflowId);
  let earliest = latest;
  for (let i = 0; i < MAX_CHAIN && earliest.continuedFromRunId; i += 1) {
    const previous = decodeRunHistory(
      await fetchDecodedHistory(client, workflowId, earliest.continuedFromRunId),
      workflowId,
    );
    // Their own run id stays with them: what the zone's workers signed there names that execution.
    const earlier = previous.steps.map((step) =>
      step.kind === 'activity' && step.runId === undefined ? { ...step, runId: previous.runId } : step,
    );
    latest.steps = [...earlier, ...latest.steps];
    latest.eventCount += previous.eventCount;
    latest.startedAt = previous.startedAt;
    latest.input = previous.input;
    earliest = previous;
  }
  return latest;
}

/** A history exported as JSON (`temporal workflow show --output json`, or Temporal Web's download). */
export async function readHistoryFile(file: string): Promise<History> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new RunNotFoundError(`cannot read history file ${file}`);
  }
  try {
    return historyFromJSON(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RunNotFoundError(`${file} is not a Temporal history in JSON (${reason})`);
  }
}
