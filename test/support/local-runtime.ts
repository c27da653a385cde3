import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { scanWholeTable } from '../../infra/local/local-stores';
import { postJsonFrom } from '../../infra/local/post-from';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime';
import { runtimeClock } from '../../shared/adapters/runtime-clock';
import { createKeyring } from '../../shared/domain/core/keyring';
import { renderToken } from '../../shared/domain/core/links';

/** A local runtime on free ports with data in memory: what integration tests drive. */
export function startTestRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({ ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 }, dataDir: undefined, ...options });
}

/** A render token as the hosted form would have issued it `secondsAgo` before now. */
export function renderedAt(formId: string, secondsAgo = 5): string {
  const keyring = createKeyring(process.env.LEADGATE_HMAC_SECRET as string);
  return renderToken(keyring, formId, new Date(runtimeClock.now().getTime() - secondsAgo * 1000));
}

/**
 * POSTs to the local API. JSON posts to a form get a valid render token unless they carry their
 * own `renderedAt` (or `renderedAt: null` to send none), as a person using the form would.
 */
export async function post(runtime: LocalRuntime, path: string, body: string | object, headers: Record<string, string> = {}): Promise<Response> {
  const form = /^\/forms\/([^/]+)\/submissions$/.exec(path)?.[1];
  if (typeof body === 'string') {
    return fetch(`${runtime.urls.api}${path}`, { method: 'POST', redirect: 'manual', headers, body });
  }
  const json = form && !('renderedAt' in body) ? { ...body, renderedAt: renderedAt(form) } : body;
  return fetch(`${runtime.urls.api}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });
}

/** Every item but the rate-limit counters (which count attempts, refused ones included). */
export async function scanTable(runtime: LocalRuntime): Promise<Record<string, unknown>[]> {
  return (await scanAll(runtime)).filter((item) => !String(item.pk).startsWith('RATE#'));
}

export const scanAll = (runtime: LocalRuntime): Promise<Record<string, unknown>[]> => scanWholeTable(runtime.db, runtime.tableName);

/** Receives and deletes every message now on a queue; returns their parsed bodies. */
export async function drainQueue(runtime: LocalRuntime, queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages = [] } = await runtime.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body ?? 'null')));
    await runtime.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/**
 * Amazon's DynamoDB Local (Java, in CI's second pass) answers several times slower than dynalite on
 * two cores; that pass checks that the code agrees with it, not how fast it is, so it waits longer.
 */
export const SLOW_EMULATOR_FACTOR = process.env.LEADGATE_DYNAMODB === 'dynamodb-local' ? 2 : 1;

export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs * SLOW_EMULATOR_FACTOR;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * POSTs JSON to the local API from another loopback address (127.0.0.2, ...), so the gateway
 * sees a different client IP, as API Gateway would for another visitor.
 */
export function postFrom(
  runtime: LocalRuntime,
  clientIp: string,
  path: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return postJsonFrom(new URL(path, runtime.urls.api), clientIp, body, headers);
}

/** The submissions capture stored for an address (in its partition, apart from the lead), oldest first. */
export async function submissionsOf(runtime: LocalRuntime, email: string): Promise<Record<string, any>[]> {
  return (await scanAll(runtime))
    .filter((item) => item.itemType === 'submission' && (item.submission as { email?: string } | undefined)?.email === email)
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
}

/** The reasons each held submission of an address was held for (an empty list: nothing held). */
export async function heldReasonsOf(runtime: LocalRuntime, email: string): Promise<string[][]> {
  return (await submissionsOf(runtime, email)).filter((item) => item.state === 'held').map((item) => item.held.reasons as string[]);
}

/** POSTs JSON to one of the local runtime's own `/_local/...` routes (they take JSON only). */
export function postLocal(runtime: LocalRuntime, path: string, body: string | object): Promise<Response> {
  return fetch(`${runtime.urls.api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const HOUR_MS = 3_600_000;

/**
 * Moves the runtime clock a second past the start of the next hour, so a test of hourly budgets
 * runs inside one window however long it takes (under an hour): a flood that crossed an hour's
 * end would meet two windows' budgets.
 */
export function advanceToNextHour(runtime: LocalRuntime): Promise<void> {
  return runtime.advanceClock(HOUR_MS - (runtimeClock.now().getTime() % HOUR_MS) + 1000);
}
