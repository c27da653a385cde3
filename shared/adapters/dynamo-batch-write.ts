import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH = 25;

/**
 * Writes every request with BatchWriteItem (25 a call, `parallel` calls at a time), sending again
 * what DynamoDB leaves unprocessed, after a growing pause (as AWS advises), until none is left.
 */
export async function batchWriteAll(db: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[], parallel = 1): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      let pending = requests.slice(next, next + BATCH);
      next += BATCH;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
        pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
