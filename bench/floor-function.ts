import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createSqsClient } from '../shared/adapters/aws-clients';

/**
 * The least a capture can take in the local runtime: the benchmark's bare put + send, made by a
 * function in a sandbox like capture's (its own worker thread, the same SDK clients) behind a
 * function URL like capture's, with no code around them. Its p50 over the bare one is what the
 * local runtime adds to any function, however little it does.
 */
const db = createDocumentClient();
const sqs = createSqsClient();
const tableName = process.env.FLOOR_TABLE_NAME as string;
const queueUrl = process.env.FLOOR_QUEUE_URL as string;
let sent = 0;

export const handler = async () => {
  const i = sent++;
  await db.send(new PutCommand({ TableName: tableName, Item: { pk: `FLOOR#${i}`, sk: 'LEAD', email: `floor${i}@engines.example`, expiresAt: 0 } }));
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ i }) }));
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"status":"accepted"}' };
};
