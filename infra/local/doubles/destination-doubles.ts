import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../loopback-server';
import { Webhook } from 'standardwebhooks';
import { hubspotContract } from './hubspot-contract';
import { eventContract } from './event-contract';

export type DoubleKind = 'webhook' | 'hubspot' | 'slack';

/** One request a double received, as the demo page and the tests see it. */
export interface ReceivedRequest {
  destination: string;
  kind: DoubleKind;
  at: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** webhook: whether the signature verifies with the standardwebhooks library's own verify. */
  verified?: boolean;
  /** hubspot: where the request breaks HubSpot's published contract; webhook: where the event breaks ours (docs/events); none for a valid one. */
  problems: string[];
  /** The answer; 0 when the double left the request unanswered (a timeout, on purpose). */
  status: number;
}

export interface Outage {
  /** Until when every request fails (epoch ms). */
  until?: number;
  /** The status failed requests get (default 503). */
  status?: number;
  /** Retry-After to send with them, in seconds. */
  retryAfterSeconds?: number;
  /** Besides the outage, this share of requests fails at random. */
  failRate?: number;
  /** This share of requests gets no answer until the caller times out. */
  timeoutRate?: number;
}

export interface DestinationDoubles {
  url: string;
  /** Where the local runtime points a destination of this kind. */
  endpoint(destinationId: string, kind: DoubleKind): string;
  received(destinationId?: string): ReceivedRequest[];
  /** Requests that broke a vendor's contract; a test fails if there is any. */
  contractViolations(): string[];
  /** The local "CRM": contacts by email, as HubSpot would hold them after the requests received. */
  crmContacts(destinationId: string): Map<string, Record<string, string>>;
  setOutage(destinationId: string, outage: Outage | undefined): void;
  stop(): Promise<void>;
}

const HANG_MS = 12_000;
const MAX_KEPT = 2000;

/**
 * Local stand-ins for the destinations, on 127.0.0.1: a webhook sink that checks every signature,
 * a HubSpot that validates every request against HubSpot's own OpenAPI document, and a Slack
 * incoming webhook. Each can be made to fail for a while (an outage, a share of 5xx or timeouts).
 */
export async function startDestinationDoubles(
  secrets: Record<string, string>,
  options: { port?: number; keep?: number | undefined } = {},
): Promise<DestinationDoubles> {
  const checkHubspot = hubspotContract();
  const checkEvent = eventContract();
  const received: ReceivedRequest[] = [];
  const violations: string[] = [];
  const outages = new Map<string, Outage>();
  const crm = new Map<string, Map<string, Record<string, string>>>();
  const hanging = new Set<ServerResponse>();

  const failure = (destination: string): { status: number; retryAfter?: number } | 'hang' | undefined => {
    const outage = outages.get(destination);
    if (!outage) return undefined;
    if (outage.until !== undefined && Date.now() < outage.until) {
      return { status: outage.status ?? 503, ...(outage.retryAfterSeconds !== undefined ? { retryAfter: outage.retryAfterSeconds } : {}) };
    }
    const roll = Math.random();
    if (roll < (outage.timeoutRate ?? 0)) return 'hang';
    if (roll < (outage.timeoutRate ?? 0) + (outage.failRate ?? 0)) return { status: outage.status ?? 503 };
    return undefined;
  };

  const answer = (
    destination: string,
    kind: DoubleKind,
    request: IncomingMessage,
    body: string,
    path: string,
  ): { status: number; body: string; headers?: Record<string, string> } => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const record: ReceivedRequest = { destination, kind, at: new Date().toISOString(), path, headers, body, problems: [], status: 200 };
    const keep = (status: number) => {
      record.status = status;
      received.push(record);
      if (received.length > (options.keep ?? MAX_KEPT)) received.shift();
    };
    const secret = secrets[destination];
    if (kind === 'webhook') {
      try {
        new Webhook(secret as string).verify(body, headers);
        record.verified = true;
      } catch {
        record.verified = false;
      }
      record.problems = checkEvent(parseJson(body));
      violations.push(...record.problems.map((p) => `${destination}: ${p}`));
      keep(record.verified ? 204 : 401);
      return { status: record.verified ? 204 : 401, body: '' };
    }
    if (kind === 'slack') {
      const message = parseJson(body) as { text?: unknown } | undefined;
      if (typeof message?.text !== 'string') record.problems.push('a Slack message needs text');
      violations.push(...record.problems.map((p) => `${destination}: ${p}`));
      keep(record.problems.length ? 400 : 200);
      return record.problems.length ? { status: 400, body: 'invalid_payload' } : { status: 200, body: 'ok' };
    }
    const apiPath = path.slice(`/hubspot/${destination}`.length);
    const json = parseJson(body);
    record.problems = checkHubspot(request.method ?? 'GET', apiPath, json);
    if (request.headers.authorization !== `Bearer ${secret}`) record.problems.push('missing or wrong private app token (Authorization: Bearer)');
    violations.push(...record.problems.map((p) => `${destination}: ${p}`));
    if (record.problems.length) {
      keep(400);
      return { status: 400, body: JSON.stringify({ status: 'error', message: record.problems.join('; '), category: 'VALIDATION_ERROR' }) };
    }
    const contacts = crm.get(destination) ?? new Map<string, Record<string, string>>();
    crm.set(destination, contacts);
    if (apiPath.endsWith('/gdpr-delete')) {
      const { objectId } = json as { objectId: string };
      const existed = contacts.delete(objectId);
      keep(existed ? 204 : 404);
      return existed
        ? { status: 204, body: '' }
        : { status: 404, body: JSON.stringify({ status: 'error', message: 'not found', category: 'OBJECT_NOT_FOUND' }) };
    }
    const now = new Date().toISOString();
    const results = (json as { inputs: { id: string; properties: Record<string, string> }[] }).inputs.map((input) => {
      const isNew = !contacts.has(input.id);
      contacts.set(input.id, { ...contacts.get(input.id), ...input.properties });
      return { id: randomUUID(), properties: input.properties, createdAt: now, updatedAt: now, archived: false, new: isNew };
    });
    keep(200);
    return { status: 200, body: JSON.stringify({ status: 'COMPLETE', results, startedAt: now, completedAt: now }) };
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const [, kind, destination] = path.split('/') as [string, DoubleKind, string];
      if (request.method !== 'POST' || !['webhook', 'hubspot', 'slack'].includes(kind) || !destination) {
        response.writeHead(404).end();
        return;
      }
      const failed = failure(destination);
      if (failed) {
        // Kept too (without the body), so a run can count every attempt.
        received.push({
          destination,
          kind,
          at: new Date().toISOString(),
          path,
          headers: {},
          body: '',
          problems: [],
          status: failed === 'hang' ? 0 : failed.status,
        });
        if (received.length > (options.keep ?? MAX_KEPT)) received.shift();
      }
      if (failed === 'hang') {
        hanging.add(response);
        setTimeout(() => {
          hanging.delete(response);
          response.destroy();
        }, HANG_MS).unref();
        return;
      }
      if (failed) {
        response.writeHead(failed.status, failed.retryAfter !== undefined ? { 'retry-after': String(failed.retryAfter) } : {}).end('unavailable');
        return;
      }
      const result = answer(destination, kind, request, Buffer.concat(chunks).toString('utf8'), path);
      response.writeHead(result.status, { 'content-type': 'application/json', ...result.headers }).end(result.status === 204 ? undefined : result.body);
    });
  });
  const { url, stop } = await listenOnLoopback(server, options.port);
  return {
    url,
    endpoint: (destinationId, kind) => `${url}/${kind}/${destinationId}`,
    received: (destinationId) => received.filter((r) => destinationId === undefined || r.destination === destinationId),
    contractViolations: () => [...violations],
    crmContacts: (destinationId) => crm.get(destinationId) ?? new Map(),
    setOutage: (destinationId, outage) => (outage ? outages.set(destinationId, outage) : outages.delete(destinationId)),
    stop: () => {
      for (const response of hanging) response.destroy();
      return stop();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
