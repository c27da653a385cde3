import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsPoller } from '../../infra/local/sqs-poller';
import { eventually } from '../support/local-runtime';
import { startLocalSqs } from '../support/sqs';

let sqs: SQSClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sqs, stop } = await startLocalSqs());
});
afterAll(() => stop?.());

async function queueWithDlq(name: string, maxReceiveCount: number) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount }),
      },
    }),
  );
  const arn = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: queue.QueueUrl!, arn: arn.Attributes!.QueueArn!, dlqUrl: dlq.QueueUrl! };
}

const count = async (url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
};

describe('SqsPoller (event source mapping stand-in)', () => {
  it('deletes what the consumer handled, retries what it reported failed, and redrives it to the DLQ', async () => {
    const queue = await queueWithDlq('poller-partial', 2);
    const deliveries = new Map<string, number>();
    const poller = new SqsPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      spec: { consumer: 'route', batchSize: 10, maxBatchingWindowSeconds: 0, visibilityTimeoutSeconds: 1, maxReceiveCount: 2, maxConcurrency: 2 },
      invoke: async (event: SQSEvent) => {
        for (const record of event.Records) deliveries.set(record.body, (deliveries.get(record.body) ?? 0) + 1);
        expect(event.Records[0]).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: queue.arn });
        return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ['a', 'b', 'poison'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    poller.start();
    try {
      await eventually(async () => expect(await count(queue.dlqUrl)).toBe(1), 15_000);
      expect(await count(queue.url)).toBe(0);
      expect(deliveries.get('a')).toBe(1);
      expect(deliveries.get('b')).toBe(1);
      expect(deliveries.get('poison')).toBe(2);
    } finally {
      await poller.stop();
    }
  });

  it('a consumer that throws leaves the whole batch on the queue', async () => {
    const queue = await queueWithDlq('poller-throws', 5);
    let calls = 0;
    const poller = new SqsPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      spec: { consumer: 'route', batchSize: 10, maxBatchingWindowSeconds: 0, visibilityTimeoutSeconds: 1, maxReceiveCount: 5, maxConcurrency: 2 },
      invoke: async () => {
        calls++;
        throw new Error('consumer crashed');
      },
      onError: () => undefined,
    });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: '1', MessageBody: 'x' }] }));
    poller.start();
    try {
      await eventually(async () => expect(calls).toBeGreaterThanOrEqual(1));
    } finally {
      await poller.stop();
    }
    expect(await count(queue.url)).toBe(1);
    expect(await count(queue.dlqUrl)).toBe(0);
  });
});
