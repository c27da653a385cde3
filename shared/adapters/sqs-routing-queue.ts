import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RoutingMessage, RoutingQueue } from '../domain/ports';

export class SqsRoutingQueue implements RoutingQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: RoutingMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
      }),
    );
  }
}
