import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Moves every message from a dead-letter queue back to its source queue, in batches: each batch
 * is sent before it is deleted, so a failure half-way duplicates (harmless: consumers are
 * idempotent) but never loses a message.
 */
export async function redrive(sqs: SQSClient, deadLetterUrl: string, sourceUrl: string, fifo = false): Promise<number> {
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        ...(fifo ? { MessageSystemAttributeNames: ['MessageGroupId' as const] } : {}),
      }),
    );
    if (Messages.length === 0) return moved;
    const now = Date.now();
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: m.MessageAttributes,
          // A FIFO message goes back into its group (its lead), with a fresh de-duplication id.
          ...(fifo ? { MessageGroupId: m.Attributes?.MessageGroupId ?? 'redriven', MessageDeduplicationId: `${m.MessageId}-${now}`.slice(0, 128) } : {}),
        })),
      }),
    );
    if (sent.Failed?.length) throw new Error(`could not move ${sent.Failed.length} message(s); they stay in the dead-letter queue`);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: deadLetterUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    moved += Messages.length;
  }
}
