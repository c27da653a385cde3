import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createDeliverConsumer } from '../../shared/adapters/deliver-consumer';
import { createKeyring } from '../../shared/domain/core/keyring';
import type { Lead } from '../../shared/domain/core/lead';
import type { DeliveryLogEntry } from '../../shared/domain/destinations/delivery-log';
import type { Outgoing, SendResult } from '../../shared/domain/destinations/deliver';
import { deliveryId, eventId, type PendingEvent } from '../../shared/domain/destinations/pending-event';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { ManualClock } from '../support/in-memory-ports';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:hooks.fifo';
const leadIdOf = (name: string) => name.repeat(64).slice(0, 64);
const event = (lead: string, n: number): PendingEvent => ({
  id: eventId(leadIdOf(lead), 'lead.created', `sub_${n}`),
  type: 'lead.created',
  occurredAt: new Date().toISOString(),
  leadId: leadIdOf(lead),
  destinations: ['ops-webhook'],
  facts: { formId: 'contact', submissionId: `sub_${n}` },
});
const record = (e: PendingEvent, id: string, receiveCount = 1) => ({
  messageId: id,
  receiptHandle: `handle-${id}`,
  body: JSON.stringify(e),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(Date.now()),
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: QUEUE_ARN,
  awsRegion: 'us-east-1',
});
const lead = (leadId: string): Lead => ({
  leadId,
  email: `${leadId.slice(0, 4)}@engines.example`,
  fields: { firstName: 'Ada' },
  consents: {
    sales_contact: {
      status: 'granted',
      granted: true,
      at: '',
      formId: 'contact',
      submissionId: 's',
      consentTextVersion: 'v',
      textSha256: 'x',
      method: 'form_checkbox',
    },
  },
  submissions: [],
  doNotSellOrShare: false,
  createdAt: '',
  updatedAt: '',
  expiresAt: 2_000_000_000,
});

/** A consumer whose webhook answers from `answers` (by lead), recording what it asked of SQS and logged. */
function consumer(
  answers: (outgoing: Outgoing) => SendResult,
  scales: { retryScale: number; retryWindowScale: number } = { retryScale: 1, retryWindowScale: 1 },
) {
  const sqsCalls: { command: string; input: Record<string, unknown> }[] = [];
  const logged: DeliveryLogEntry[] = [];
  const sqs = {
    send: async (command: { input: Record<string, unknown> }) => sqsCalls.push({ command: command.constructor.name, input: command.input }),
  } as unknown as SQSClient;
  const quiet = { debug() {}, warn() {}, error() {} } as unknown as Logger;
  const handler = createDeliverConsumer({
    destinations: exampleConfig.destinations,
    bindings: {
      'ops-webhook': { queueName: 'hooks.fifo', queueUrl: 'https://sqs/hooks.fifo', deadLetterUrl: 'https://sqs/hooks-dlq.fifo', secret: { value: 'x' } },
    },
    leads: { get: async (leadId) => ({ lead: lead(leadId), version: 1 }) },
    senders: {
      webhook: { send: async (o) => answers(o) },
      hubspot: { send: async () => ({ ok: true, status: 200 }) },
      slack: { send: async () => ({ ok: true, status: 200 }) },
    },
    notices: { settle: async () => undefined },
    deliveries: { record: async (entry) => void logged.push(entry), list: async () => [] },
    keyring: createKeyring(TEST_SECRET),
    clock: new ManualClock(),
    sqs,
    logger: quiet,
    ...scales,
    acceptLink: () => undefined,
  });
  return { handler, sqsCalls, logged };
}

describe('the deliver consumer', () => {
  it("a 429 holds its lead's later events for its Retry-After, in order; other leads are delivered", async () => {
    const first = event('a', 1);
    const delivered: string[] = [];
    const { handler, sqsCalls } = consumer((o) => {
      if (o.event.id === deliveryId(first, 'ops-webhook')) return { ok: false, retryable: true, status: 429, retryAfterSeconds: 120, reason: 'HTTP 429' };
      delivered.push(o.event.id);
      return { ok: true, status: 204 };
    });
    const result = await handler({ Records: [record(first, 'a1'), record(event('a', 2), 'a2'), record(event('b', 3), 'b1')] } as SQSEvent);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a1', 'a2']);
    const visibility = sqsCalls.filter((c) => c.command === 'ChangeMessageVisibilityCommand').map((c) => [c.input.ReceiptHandle, c.input.VisibilityTimeout]);
    expect(visibility).toEqual([
      ['handle-a1', 120],
      ['handle-a2', 120],
    ]);
    expect(delivered).toEqual([deliveryId(event('b', 3), 'ops-webhook')]);
  });

  it('a final refusal goes to the dead-letter queue at once with its status and reason, and the record is done with', async () => {
    const { handler, sqsCalls, logged } = consumer(() => ({ ok: false, retryable: false, status: 410, reason: 'HTTP 410' }));
    const result = await handler({ Records: [record(event('c', 4), 'c1')] } as SQSEvent);
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = sqsCalls.filter((c) => c.command === 'SendMessageCommand');
    expect(dead?.input).toMatchObject({
      QueueUrl: 'https://sqs/hooks-dlq.fifo',
      MessageGroupId: leadIdOf('c'),
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'HTTP 410' }, status: { DataType: 'Number', StringValue: '410' } },
    });
    expect(logged.map((e) => [e.outcome, e.status, e.attempt])).toEqual([['dead_lettered', 410, 1]]);
  });

  it('a retryable failure past 24 hours is dead-lettered; an undecodable message too, without being delivered', async () => {
    const { handler, sqsCalls } = consumer(() => ({ ok: false, retryable: true, status: 503, reason: 'HTTP 503' }));
    const old = {
      ...record(event('d', 5), 'd1', 40),
      attributes: { ...record(event('d', 5), 'd1').attributes, SentTimestamp: String(Date.now() - 24 * 3600 * 1000) },
    };
    const garbage = { ...record(event('e', 6), 'e1'), body: '{not json' };
    const result = await handler({ Records: [old, garbage] } as SQSEvent);
    expect(result.batchItemFailures).toEqual([]);
    const reasons = sqsCalls
      .filter((c) => c.command === 'SendMessageCommand')
      .map((c) => (c.input.MessageAttributes as { reason: { StringValue: string } }).reason.StringValue);
    expect(reasons.sort()).toEqual(['gave up after 24 hours: HTTP 503', 'not a Leadgate event']);
  });

  it('under a local time scale, the window may shrink less than the delays: an event older than the scaled day of its delays is still retried within its own', async () => {
    const aged = (id: string) => ({
      ...record(event(id, 7), `${id}1`, 3),
      attributes: { ...record(event(id, 7), `${id}1`).attributes, SentTimestamp: String(Date.now() - 200_000) },
    });
    const failing = () => ({ ok: false as const, retryable: true, status: 503, reason: 'HTTP 503' });
    // 200 s old: past 24 hours at 1/600 (144 s), within them at 1/60 (1,440 s).
    const sameScale = consumer(failing, { retryScale: 1 / 600, retryWindowScale: 1 / 600 });
    expect((await sameScale.handler({ Records: [aged('6')] } as SQSEvent)).batchItemFailures).toEqual([]);
    expect(sameScale.logged.map((e) => e.outcome)).toEqual(['dead_lettered']);
    const longerWindow = consumer(failing, { retryScale: 1 / 600, retryWindowScale: 1 / 60 });
    expect((await longerWindow.handler({ Records: [aged('7')] } as SQSEvent)).batchItemFailures).toEqual([{ itemIdentifier: '71' }]);
    expect(longerWindow.logged.map((e) => e.outcome)).toEqual(['retrying']);
  });

  it('starts no call that could outlast the invocation: what is left goes back at once, its lead in order, and what was delivered is done with', async () => {
    let remainingMs = 60_000;
    const delivered: string[] = [];
    const { handler, sqsCalls, logged } = consumer((o) => {
      delivered.push(o.event.id);
      remainingMs = 12_000; // less than a 10 s call and the margin to settle it
      return { ok: true, status: 204 };
    });
    const context = { getRemainingTimeInMillis: () => remainingMs };
    const result = await handler({ Records: [record(event('a', 1), 'a1'), record(event('a', 2), 'a2'), record(event('b', 3), 'b1')] } as SQSEvent, context);
    // Both leads' first events started with time to spare; a's second did not start.
    expect(delivered.sort()).toEqual([deliveryId(event('a', 1), 'ops-webhook'), deliveryId(event('b', 3), 'ops-webhook')].sort());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }]);
    const visibility = sqsCalls.filter((c) => c.command === 'ChangeMessageVisibilityCommand').map((c) => [c.input.ReceiptHandle, c.input.VisibilityTimeout]);
    expect(visibility).toEqual([['handle-a2', 0]]);
    expect(logged.map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
  });
});
