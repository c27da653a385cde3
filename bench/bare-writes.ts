import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The capture benchmark's baseline: a bare DynamoDB put of a small item, then a bare SQS send, one
 * after the other. The benchmark makes it from its own thread, and the floor function
 * (bench/floor-function.ts) from a sandbox, so both time exactly the same two requests.
 */
export async function bareWrites(
  db: DynamoDBDocumentClient,
  sqs: SQSClient,
  to: { tableName: string; queueUrl: string },
  tag: string,
  i: number,
): Promise<void> {
  await db.send(
    new PutCommand({ TableName: to.tableName, Item: { pk: `${tag}#${i}`, sk: 'LEAD', email: `${tag.toLowerCase()}${i}@engines.example`, expiresAt: 0 } }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: to.queueUrl, MessageBody: JSON.stringify({ i }) }));
}
