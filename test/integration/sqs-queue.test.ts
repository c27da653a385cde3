import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSqs } from '../support/sqs';
import { SqsJsonQueue } from '../../shared/adapters/sqs-queue';

let sqs: SQSClient;
let url: string;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sqs, url, stop } = await startLocalSqs());
});
afterAll(() => stop?.());

type Step = { type: 'nurture.step'; step: number; note?: string };
const steps = (n: number): Step[] => Array.from({ length: n }, (_, step) => ({ type: 'nurture.step', step }));
const waiting = async (url: string) =>
  Number(
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages,
  );

describe('SqsJsonQueue.enqueueAll', () => {
  it('sends many messages in batches of ten, and reports none left behind', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'batched' }));
    const queue = new SqsJsonQueue<Step>(sqs, QueueUrl!);
    const requests: string[] = [];
    sqs.middlewareStack.add(
      (next, context) => (args) => {
        requests.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    expect(await queue.enqueueAll(steps(23))).toEqual([]);
    sqs.middlewareStack.remove('countRequests');
    expect(requests).toEqual(['SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
    expect(await waiting(QueueUrl!)).toBe(23);
    expect(await queue.enqueueAll([])).toEqual([]);
  });

  it('gives back the messages SQS did not take: a batch whose request failed, or an entry it refused', async () => {
    const missing = new SqsJsonQueue<Step>(sqs, `${url}/000000000000/no-such-queue`);
    const all = steps(12);
    expect(await missing.enqueueAll(all)).toEqual(all);

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'partly' }));
    const queue = new SqsJsonQueue<Step>(sqs, QueueUrl!);
    // A character SQS does not allow in a message body: that entry alone is refused.
    const refused: Step = { type: 'nurture.step', step: 99, note: '\uFFFF' };
    const given = [...steps(3), refused];
    expect(await queue.enqueueAll(given)).toEqual([refused]);
    expect(await waiting(QueueUrl!)).toBe(3);
  });
});
