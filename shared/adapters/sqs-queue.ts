import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { batchesOf } from './batches';

/** SQS takes at most 10 messages per SendMessageBatch. */
const BATCH = 10;

/** Sends JSON messages with a `type` to one queue. */
export class SqsJsonQueue<T extends { type: string }> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: T): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, ...this.entry(message) }));
  }

  /** Sends in batches of ten, in parallel; returns the messages SQS did not take (a whole batch, if its request failed). */
  async enqueueAll(messages: readonly T[]): Promise<T[]> {
    const failed = await Promise.all(
      batchesOf(messages, BATCH).map(async (batch) => {
        try {
          const { Failed } = await this.sqs.send(
            new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch.map((message, i) => ({ Id: String(i), ...this.entry(message) })) }),
          );
          return (Failed ?? []).map((entry) => batch[Number(entry.Id)] as T);
        } catch {
          return batch;
        }
      }),
    );
    return failed.flat();
  }

  private entry(message: T) {
    return { MessageBody: JSON.stringify(message), MessageAttributes: { type: { DataType: 'String', StringValue: message.type } } };
  }
}
