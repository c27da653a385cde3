import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { cliAgainst } from '../support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { topology } from '../../infra/topology';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, heldReasonsOf, post, scanTable, startTestRuntime } from '../support/local-runtime';
import { sentMail } from '../support/mail';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

async function visibleMessages(queueUrl: string): Promise<number> {
  const { Attributes } = await runtime.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

describe('local runtime', () => {
  it("routes the README's first example: a plain post without a render token reaches a rep (renderToken: optional, the default)", async () => {
    const email = 'ada@analytical-engines.example';
    const response = await post(runtime, '/forms/contact/submissions', {
      email,
      firstName: 'Ada',
      company: 'Analytical Engines',
      country: 'GB',
      consent: ['sales_contact'],
      consentVersion: CONSENT_VERSION,
      renderedAt: null,
    });
    expect(response.status).toBe(202);
    await eventually(async () => {
      const lead = (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as { assignment?: { rep: string } } | undefined;
      expect(lead?.assignment?.rep).toBeTruthy();
    });
    expect(await heldReasonsOf(runtime, email)).toEqual([]);
    // The rep's assignment email, with no operator step in between.
    await eventually(async () => expect((await sentMail(runtime)).some((m) => m.subject.startsWith('New lead: Analytical Engines'))).toBe(true));
  });

  it('serves the API on loopback and the consumer drains the routing queue like an event source mapping', async () => {
    expect(new URL(runtime.urls.api).hostname).toBe('127.0.0.1');
    const response = await post(runtime, '/forms/contact/submissions', {
      email: 'pipeline@example.com',
      consent: ['sales_contact'],
      consentVersion: CONSENT_VERSION,
    });
    expect(response.status).toBe(202);
    await eventually(async () => expect(await visibleMessages(runtime.queues.routing.url)).toBe(0));
    expect(await visibleMessages(runtime.queues.routing.deadLetterUrl)).toBe(0);
  });

  it("times each function's init, as the first-invocation benchmark reads it: the CPU its sandbox spent importing its bundle", () => {
    const inits = runtime.initCpuMs();
    expect(Object.keys(inits).sort()).toEqual(Object.keys(topology.functions).sort());
    // A bundle with the AWS SDK inside takes milliseconds of CPU to import, never none.
    for (const ms of Object.values(inits)) expect(ms).toBeGreaterThan(1);
  });

  it("creates queues with the topology's visibility timeout and dead-letter redrive", async () => {
    const { Attributes } = await runtime.sqs.send(new GetQueueAttributesCommand({ QueueUrl: runtime.queues.routing.url, AttributeNames: ['All'] }));
    expect(Attributes?.VisibilityTimeout).toBe(String(topology.queues.routing.visibilityTimeoutSeconds));
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
      maxReceiveCount: topology.queues.routing.maxReceiveCount,
    });
  });

  it('`leadgate dlq redrive` moves dead-lettered messages back, and the consumer takes them', async () => {
    const message = {
      type: 'lead.captured',
      version: 1,
      leadId: 'e'.repeat(64),
      submissionId: 'sub_dead',
      formId: 'contact',
      capturedAt: new Date().toISOString(),
    };
    await runtime.sqs.send(new SendMessageCommand({ QueueUrl: runtime.queues.routing.deadLetterUrl, MessageBody: JSON.stringify(message) }));
    expect(await visibleMessages(runtime.queues.routing.deadLetterUrl)).toBe(1);
    const { code, out } = await cliAgainst(runtime, 'dlq', 'redrive', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ routing: 1, email: 0, mailEvents: 0 });
    expect(await visibleMessages(runtime.queues.routing.deadLetterUrl)).toBe(0);
    await eventually(async () => expect(await visibleMessages(runtime.queues.routing.url)).toBe(0));
  });

  it('sweeps items whose expiresAt has passed, as DynamoDB TTL does', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    await runtime.db.send(new PutCommand({ TableName: runtime.tableName, Item: { pk: 'TEST#expired', sk: 'X', expiresAt: past } }));
    await runtime.db.send(new PutCommand({ TableName: runtime.tableName, Item: { pk: 'TEST#live', sk: 'X', expiresAt: past + 3600 } }));
    expect(await runtime.sweep()).toBeGreaterThanOrEqual(1);
    const keys = (await scanTable(runtime)).map((item) => item.pk);
    expect(keys).not.toContain('TEST#expired');
    expect(keys).toContain('TEST#live');
  });
});

describe('local runtime, while it starts', () => {
  /** A loopback port free a moment ago. */
  const freePort = async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  };

  it('answers a request that reaches the gateway before the functions have started once they have, as Lambda holds an invocation through init', async () => {
    const port = await freePort();
    const starting = startTestRuntime({ ports: { api: port, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 }, consumers: false, schedules: false });
    starting.catch(() => undefined);
    let answer: Response | undefined;
    for (const deadline = Date.now() + 30_000; !answer && Date.now() < deadline; ) {
      answer = await fetch(`http://127.0.0.1:${port}/forms/contact`).catch(() => undefined);
      if (!answer) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const started = await starting;
    try {
      expect(answer?.status).toBe(200);
    } finally {
      await started.stop();
    }
  });
});
