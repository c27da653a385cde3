import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { configVariant } from '../infra/local/config-variant';
import { startLocalRuntime } from '../infra/local/runtime';
import { DynamoLeadRepository } from '../shared/adapters/dynamo-lead-repository';
import { SECRET_VARIABLES } from '../shared/config/function-env';
import { createKeyring } from '../shared/domain/core/keyring';
import type { Lead } from '../shared/domain/core/lead';
import { eventId, type PendingEvent } from '../shared/domain/destinations/pending-event';

export interface DeliveryThroughput {
  events: number;
  batchSize: number;
  perSecond: number;
  p50BatchMs: number;
}

/**
 * One deliver container (one module instance, batches one after another, as one Lambda container
 * takes them) delivering `events` lead.created events to one webhook destination on loopback:
 * each event reads its lead, is signed with standardwebhooks, posted to the local sink, and logged.
 */
export async function deliveryThroughput(events = 2000, batchSize = 10): Promise<DeliveryThroughput> {
  const configFile = configVariant((c) => {
    c.destinations = { hooks: { type: 'webhook', url: 'https://hooks.example.com/leadgate', purposes: ['sales_contact'], thirdParty: false } };
  });
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    configFile,
    consumers: false,
    schedules: false,
    log: () => undefined,
  });
  try {
    const keyring = createKeyring(process.env[SECRET_VARIABLES.hmac.value] as string);
    const leads = new DynamoLeadRepository(runtime.db, runtime.tableName);
    const now = new Date();
    const pending: PendingEvent[] = [];
    for (let i = 0; i < events; i++) {
      const email = `throughput${i}@engines.example`;
      const leadId = keyring.emailHash(email);
      const at = now.toISOString();
      const consent = {
        status: 'granted',
        granted: true,
        at,
        formId: 'contact',
        submissionId: `sub_${i}`,
        consentTextVersion: 'v',
        textSha256: 'x',
        method: 'form_checkbox',
      } as const;
      const lead: Lead = {
        leadId,
        email,
        fields: { firstName: `Lead${i}`, company: 'Acme' },
        consents: { sales_contact: consent },
        submissions: [{ submissionId: `sub_${i}`, formId: 'contact', at, gpc: false }],
        doNotSellOrShare: false,
        createdAt: at,
        updatedAt: at,
        expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
        routedSubmissions: [`sub_${i}`],
      };
      await leads.save(lead, undefined, now);
      pending.push({
        id: eventId(leadId, 'lead.created', `sub_${i}`),
        type: 'lead.created',
        occurredAt: at,
        leadId,
        destinations: ['hooks'],
        facts: { formId: 'contact', submissionId: `sub_${i}` },
      });
    }
    const queue = runtime.destinationQueues.hooks!;
    const record = (event: PendingEvent, i: number) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: JSON.stringify(event),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
    const batches: SQSEvent[] = [];
    for (let i = 0; i < pending.length; i += batchSize) batches.push({ Records: pending.slice(i, i + batchSize).map((e, j) => record(e, i + j)) } as SQSEvent);
    // Warm the container (its first invocation loads the secret and opens connections).
    await runtime.invoke<SQSEvent, SQSBatchResponse>('deliver', batches[0]!);
    const times: number[] = [];
    const started = performance.now();
    for (const batch of batches.slice(1)) {
      const t0 = performance.now();
      const result = await runtime.invoke<SQSEvent, SQSBatchResponse>('deliver', batch);
      if (result.batchItemFailures.length) throw new Error(`${result.batchItemFailures.length} deliveries failed`);
      times.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    const delivered = runtime.destinations.received('hooks').filter((r) => r.status === 204 && r.verified).length;
    if (delivered < events) throw new Error(`only ${delivered} of ${events} deliveries reached the sink`);
    times.sort((a, b) => a - b);
    return { events: events - batchSize, batchSize, perSecond: (events - batchSize) / seconds, p50BatchMs: times[Math.floor(times.length / 2)] ?? NaN };
  } finally {
    await runtime.stop();
  }
}
