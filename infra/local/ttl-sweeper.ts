import { batchWriteAll } from '../../shared/adapters/dynamo-batch-write';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../shared/domain/core/ports';
import { epochSeconds } from '../../shared/domain/core/retention';
import { topology } from '../topology';

/**
 * Deletes items whose `expiresAt` has passed, as DynamoDB's TTL does in AWS (dynalite has no
 * TTL). Returns how many items it deleted.
 */
export async function sweepExpired(db: DynamoDBDocumentClient, tableName: string, clock: Clock): Promise<number> {
  const { partitionKey, sortKey, ttlAttribute } = topology.table;
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#ttl <= :now',
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#ttl': ttlAttribute, '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':now': epochSeconds(clock.now()) },
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    await batchWriteAll(
      db,
      tableName,
      keys.map((key) => ({ DeleteRequest: { Key: key } })),
    );
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}
