import { createDocumentClient, createSqsClient } from '../shared/adapters/aws-clients';
import { bareWrites } from './bare-writes';

/**
 * The least a capture can take in the local runtime: the benchmark's bare put + send, made by a
 * function in a sandbox like capture's (its own worker thread, the same SDK clients) behind a
 * function URL like capture's, with no code around them. Its p50 over the bare one is what the
 * local runtime adds to any function, however little it does.
 */
const db = createDocumentClient();
const sqs = createSqsClient();
const target = { tableName: process.env.FLOOR_TABLE_NAME as string, queueUrl: process.env.FLOOR_QUEUE_URL as string };
let sent = 0;

export const handler = async () => {
  await bareWrites(db, sqs, target, 'FLOOR', sent++);
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"status":"accepted"}' };
};
