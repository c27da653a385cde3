import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../domain/core/retention';
import type { SparseIndex } from './table-keys';

/** The partition keys of the items due by `now` in one partition of a sparse index (keys only: no item is read). */
export async function duePartitionKeys(db: DynamoDBDocumentClient, tableName: string, index: SparseIndex, partition: string, now: Date): Promise<string[]> {
  const keys: string[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: '#partition = :partition AND #due <= :now',
      ExpressionAttributeNames: { '#partition': index.partitionKey, '#due': index.sortKey },
      ExpressionAttributeValues: { ':partition': partition, ':now': epochSeconds(now) },
      ProjectionExpression: 'pk',
    },
  );
  for await (const page of pages) keys.push(...(page.Items ?? []).map((item) => item.pk as string));
  return keys;
}
