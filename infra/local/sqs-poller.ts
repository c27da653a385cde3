import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueSpec } from '../topology';

export type SqsInvoker = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

/**
 * Behaves like a Lambda event source mapping with ReportBatchItemFailures: receives up to
 * `batchSize` messages within the batching window, invokes the consumer, deletes the records
 * it did not report as failed. A thrown error or an unknown failure id fails the whole batch,
 * so its messages come back after the visibility timeout and move to the dead-letter queue
 * after the queue's max receive count (fauxqs applies the redrive policy).
 */
export class SqsPoller {
  private stopped = false;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: {
      sqs: SQSClient;
      queueUrl: string;
      queueArn: string;
      spec: QueueSpec;
      invoke: SqsInvoker;
      onError?: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running;
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return Messages ?? [];
  }

  private async nextBatch(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.options.spec;
    const batch = await this.receive(batchSize, 1);
    const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length > 0 && batch.length < batchSize && Date.now() < windowEnds && !this.stopped) {
      const more = await this.receive(batchSize - batch.length, 0);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      batch.push(...more);
    }
    return batch;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const batch = await this.nextBatch();
        if (batch.length) await this.deliver(batch);
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async deliver(batch: Message[]): Promise<void> {
    const records = batch.map((message) => toRecord(message, this.options.queueArn));
    let failed: Set<string>;
    try {
      const result = await this.options.invoke({ Records: records });
      failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      if ([...failed].some((id) => !records.some((record) => record.messageId === id))) {
        failed = new Set(records.map((record) => record.messageId));
      }
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length === 0) return;
    await this.options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
}
