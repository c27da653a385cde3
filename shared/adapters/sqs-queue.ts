import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends JSON messages with a `type` to one queue. */
export class SqsJsonQueue<T extends { type: string }> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: T): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
      }),
    );
  }
}
